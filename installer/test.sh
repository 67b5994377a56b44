#!/usr/bin/env bash
# Set-up command 2: install what is missing, build everything, run every test.
# Idempotent; CI (.ci/run) calls exactly this on a clean clone.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${DISTILL_BUILD_DIR:-$root/build}

"$root/installer/install-deps.sh"
"$root/installer/fetch-tokenizer.sh"
"$root/installer/build.sh" -DDISTILL_BUILD_TESTS=ON
ctest --test-dir "$build" --output-on-failure --parallel "$(nproc)" --timeout 600
