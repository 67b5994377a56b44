#!/usr/bin/env bash
# Set-up command 1: install what is missing, build, and open the demo project
# in Distill Studio. Idempotent.
#   installer/setup.sh              launch the GUI on resources/demo/demo.distill.json
#   installer/setup.sh --headless   no window: run the demo through the `distill` CLI
#                                   into out/demo/ instead
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
  mkdir -p "$out"
  # The stages that exist so far; `distill run` takes over once the pipeline
  # runner lands (issue #6).
  "$build/bin/distill" corpus --project "$demo" --output "$out/corpus.jsonl" --report "$out/corpus-report.json"
  echo "setup: demo corpus written to $out"
else
  "$root/installer/build.sh" -DDISTILL_BUILD_TESTS=OFF -DDISTILL_BUILD_GUI=ON
  if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "setup: built, but there is no display to open a window on; run with --headless," >&2
    echo "       or start $build/bin/distill-studio $demo from a desktop session" >&2
    exit 1
  fi
  exec "$build/bin/distill-studio" "$demo"
fi
