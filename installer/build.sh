#!/usr/bin/env bash
# Configures and builds Distill Studio into build/ (or $DISTILL_BUILD_DIR).
# Extra arguments go to CMake's configure step, e.g. -DDISTILL_BUILD_GUI=OFF.
# Ninja and ccache keep rebuilds cheap; a clean build takes minutes on two cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DISTILL_BUILD_DIR:-$root/build}
jobs=${DISTILL_JOBS:-$(nproc)}

# ccache keyed on paths relative to the checkout, so a second clone (CI's, a
# git worktree) reuses what the first compiled; PCH needs the sloppiness.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root} CCACHE_NOHASHDIR=${CCACHE_NOHASHDIR:-1}
export CCACHE_SLOPPINESS=${CCACHE_SLOPPINESS:-pch_defines,time_macros,include_file_mtime,include_file_ctime}

cmake -S "$root" -B "$build" -G Ninja "$@"
cmake --build "$build" --parallel "$jobs"
