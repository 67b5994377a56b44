#!/usr/bin/env bash
# Rehearses installer/gpu-check.sh on this machine, so that device time (short,
# and not lent to every session) is not lost to a build or script error.
#
# The GPU machine builds with a newer GCC against PyTorch 2.x and has none of
# Debian's -dev libraries; this machine has GCC 12 and libtorch 1.13. So the
# rehearsal runs the very script in a Debian 13 chroot that is like the GPU
# machine where it matters: GCC 14, CMake 3.31, Debian's PyTorch 2.6 (CPU)
# with its libtorch's CMake files, Python with numpy and sentencepiece, and no
# library of ours but the debs of .gpu-deps/ that gpu-check.sh unpacks into
# its private prefix. The CUDA steps fail there (no GPU) and those needing
# sentence-transformers too (not in Debian); the configure, the build and the
# whole CLI contract on the CPU paths under libtorch 2.6 must pass.
#
# It found two faults the GPU run would have hit: faiss's headers needing
# <cstdint> under GCC >= 13, and the prefix's sentencepiece shadowing
# Python's when LD_LIBRARY_PATH was exported to every step.
#
# Needs root (debootstrap, chroot, mounts) and about 3.5 GiB under root's
# ~/.cache/distill-studio/gpu-rehearsal; the chroot is kept for the next time.
# First run about 15 minutes on 2 cores (downloads, a full build), later runs
# rebuild only what changed. Usage: installer/fetch-gpu-deps.sh, then
#   sudo installer/rehearse-gpu-check.sh    -> gpu-rehearsal-out/summary.txt
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jail=${DISTILL_CACHE_DIR:-$HOME/.cache/distill-studio}/gpu-rehearsal
out=$root/gpu-rehearsal-out
suite=trixie

[ "$(id -u)" -eq 0 ] || { echo "rehearse-gpu-check: needs root (debootstrap and chroot); run it with sudo" >&2; exit 1; }
[ -d "$root/.gpu-deps/debs" ] || { echo "rehearse-gpu-check: run installer/fetch-gpu-deps.sh first" >&2; exit 1; }

# The host's /dev is bound into the chroot: it is unmounted on every exit and
# before the chroot is ever removed, and rm never crosses into a mount.
unmount() { for m in "$jail/dev" "$jail/proc"; do ! mountpoint -q "$m" || umount "$m" || umount -l "$m"; done; }
trap unmount EXIT
unmount
if [ ! -f "$jail/.ready" ]; then
  command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap; }
  rm -rf --one-file-system "$jail"
  debootstrap --variant=minbase "$suite" "$jail" http://deb.debian.org/debian
fi
mount -t proc proc "$jail/proc"
mount --bind /dev "$jail/dev"
if [ ! -f "$jail/.ready" ]; then
  cp /etc/resolv.conf "$jail/etc/"
  chroot "$jail" sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends g++ make cmake ninja-build python3 python3-numpy python3-torch python3-sentencepiece \
    libtorch-dev'
  touch "$jail/.ready"
fi

# The checkout as git has it (tracked and untracked-but-not-ignored files),
# with .gpu-deps as the device run carries it; the build folder inside the
# chroot is kept, so a rerun rebuilds only what changed.
rm -rf "$jail/src" && mkdir -p "$jail/src"
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
  tar -cf - --ignore-failed-read --null -T - .gpu-deps) |
  tar -xf - -C "$jail/src"
rm -rf "$jail/out"
status=0
# No deadline worth the name: a 2-core build alone takes longer than the
# GPU machine's whole call, and every step should be rehearsed.
chroot "$jail" env OUT=/out DISTILL_TORCH_PREFIX=/usr/lib/x86_64-linux-gnu/cmake DISTILL_GPU_DEADLINE_S=7200 \
  /src/installer/gpu-check.sh || status=$?
rm -rf "$out"
[ -d "$jail/out" ] && cp -r "$jail/out" "$out" && chown -R "${SUDO_UID:-0}:${SUDO_GID:-0}" "$out"
echo "rehearse-gpu-check: gpu-check.sh exited $status; $out/summary.txt (CUDA and sentence-transformers steps fail here)"
# The parts that must pass without a GPU.
grep -q '^build: ok' "$out/summary.txt" && grep -q '^contract: ok' "$out/summary.txt"
