#!/usr/bin/env bash
# Gathers, on this Debian machine, what the GPU machine lacks for
# installer/gpu-check.sh (ARCHITECTURE.md, "The GPU build"): that machine has
# CUDA, PyTorch (whose libtorch we build against), a compiler, CMake and
# ninja, but no package registry and no Debian libraries. So we download the
# .deb files of our other dependencies here (`apt-get download`, no install)
# and copy the shared fixtures, the contract checker and the Llama-2
# tokenizer beside them, all into the git-ignored .gpu-deps/, which the
# device run carries (`carry: [".gpu-deps"]`, 64 MiB at most with the tree).
# Idempotent: debs already downloaded are kept.
# Usage: installer/fetch-gpu-deps.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest=$root/.gpu-deps
shared=${DISTILL_SHARED_DIR:-$root/../shared}
tokenizer=${DISTILL_LLAMA_TOKENIZER:-${DISTILL_CACHE_DIR:-$HOME/.cache/distill-studio}/llama-2/tokenizer.model}

# Build and run-time dependencies of core and the CLI besides libtorch,
# with the shared libraries they need at run time. The GUI and Qt Test are
# not built there.
debs=(
  libfaiss-dev libopenblas0-pthread libgfortran5 libquadmath0
  libsentencepiece-dev libsentencepiece0
  nlohmann-json3-dev libcli11-dev
  libxxhash-dev libxxhash0
  libicu-dev libicu72
  libcsv-dev libcsv3
  pkgconf-bin libpkgconf3
)

[ -d "$shared/fixtures" ] || { echo "fetch-gpu-deps: no fixtures at $shared/fixtures; set DISTILL_SHARED_DIR" >&2; exit 1; }
[ -f "$tokenizer" ] || { echo "fetch-gpu-deps: no tokenizer at $tokenizer; run installer/fetch-tokenizer.sh" >&2; exit 1; }

mkdir -p "$dest/debs"
missing=()
for p in "${debs[@]}"; do
  compgen -G "$dest/debs/${p}_*.deb" >/dev/null || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  # apt-get download needs a package index but no root; refresh it only when
  # a package is unknown to it.
  if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
  fi
  (cd "$dest/debs" && apt-get download -qq "${missing[@]}")
fi

rm -rf "$dest/shared"
mkdir -p "$dest/shared/tools"
cp -r "$shared/fixtures" "$dest/shared/"
cp "$shared/tools/contract-check" "$dest/shared/tools/"
cp "$tokenizer" "$dest/tokenizer.model"

size=$(du -sm "$dest" | cut -f1)
echo "fetch-gpu-deps: $dest holds ${#debs[@]} debs, the fixtures and the tokenizer (${size} MiB)"
[ "$size" -lt 48 ] || echo "fetch-gpu-deps: warning: with the tree this may exceed the device's 64 MiB limit" >&2
