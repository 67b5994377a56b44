#!/usr/bin/env bash
# Configures and builds Distill Studio into build/ (or $DISTILL_BUILD_DIR).
# Extra arguments go to CMake's configure step, e.g. -DDISTILL_BUILD_GUI=OFF.
# Ninja and ccache keep rebuilds cheap; a clean build takes minutes on two cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DISTILL_BUILD_DIR:-$root/build}
jobs=${DISTILL_JOBS:-$(nproc)}

cmake -S "$root" -B "$build" -G Ninja "$@"
cmake --build "$build" --parallel "$jobs"
