#!/usr/bin/env bash
# Set-up command 1: install what is missing, build, and open the demo project
# in Distill Studio. Idempotent.
#   installer/setup.sh              launch the GUI on resources/demo/demo.distill.json
#   installer/setup.sh --headless   no window: run the whole pipeline on the demo with
#                                   `distill run` into out/demo/ instead
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DISTILL_BUILD_DIR:-$root/build}
demo="$root/resources/demo/demo.distill.json"

headless=0
case "${1:-}" in
  --headless) headless=1 ;;
  "") ;;
  *) echo "usage: installer/setup.sh [--headless]" >&2; exit 2 ;;
esac

"$root/installer/install-deps.sh"
"$root/installer/fetch-tokenizer.sh"
if [ $headless -eq 1 ]; then
  "$root/installer/build.sh" -DDISTILL_BUILD_TESTS=OFF -DDISTILL_BUILD_GUI=OFF
  out="$root/out/demo"
  "$build/bin/distill" run --config "$demo" --output-dir "$out"
  echo "setup: the demo's training files are in $out (train.pt, valid.pt, manifest.json)"
else
  "$root/installer/build.sh" -DDISTILL_BUILD_TESTS=OFF -DDISTILL_BUILD_GUI=ON
  if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "setup: built, but there is no display to open a window on; run with --headless," >&2
    echo "       or start $build/bin/distill-studio $demo from a desktop session" >&2
    exit 1
  fi
  exec "$build/bin/distill-studio" "$demo"
fi
