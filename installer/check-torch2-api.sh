#!/usr/bin/env bash
# Compile-checks every libtorch translation unit (core/src/**/*_torch.cpp)
# against the headers of a libtorch 2.x, without a GPU machine.
#
# Why: this machine has Debian 12's libtorch 1.13, but the GPU machine builds
# against PyTorch 2.x (ARCHITECTURE.md, "The GPU build"), and its device time
# is short and not lent to every session. An API that 2.x removed or a header
# the 1.13 build only got through the precompiled header would waste that
# time on a compile error. Debian 13 (trixie) packages libtorch 2.6; apt
# downloads and verifies its libtorch-dev into a private cache (no install,
# nothing outside the cache is touched) and g++ checks each unit's syntax
# against those headers, without the precompiled header.
#
# Usage: installer/check-torch2-api.sh        (about 1 min; 12 MiB download once)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache=${DISTILL_CACHE_DIR:-$HOME/.cache/distill-studio}/torch2-headers
suite=${DISTILL_TORCH2_SUITE:-trixie}
mkdir -p "$cache/lists/partial" "$cache/archives/partial" "$cache/debs"

# A private apt: only this suite's index, its own lists and cache, so the
# machine's apt state stays as it was. The signature is checked against
# Debian's archive keyring, as for the machine's own suites.
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" \
  >"$cache/sources.list"
apt_private=(-o "Dir::Etc::SourceList=$cache/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
             -o "Dir::State::Lists=$cache/lists" -o "Dir::Cache=$cache" -o "Dir::Cache::archives=$cache/archives"
             -o "Debug::NoLocking=1" -o "APT::Sandbox::User=$(id -un)")
if ! compgen -G "$cache/debs/libtorch-dev_*.deb" >/dev/null; then
  apt-get "${apt_private[@]}" update -qq
  (cd "$cache/debs" && apt-get "${apt_private[@]}" download -qq libtorch-dev)
fi
deb=$(compgen -G "$cache/debs/libtorch-dev_*.deb" | head -1)
headers=$cache/root/usr/include
if [ ! -f "$cache/root/.from" ] || [ "$(cat "$cache/root/.from")" != "$deb" ]; then
  rm -rf "$cache/root"
  dpkg-deb -x "$deb" "$cache/root"
  echo "$deb" >"$cache/root/.from"
fi
version=$(sed -n 's/^#define TORCH_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)$/\2/p' \
            "$headers/torch/csrc/api/include/torch/version.h" | paste -sd.)
echo "check-torch2-api: libtorch $version headers from $(basename "$deb")"

# The same flags the build gives these units (core/CMakeLists.txt), the
# newer headers first so they shadow Debian 12's in /usr/include.
failed=0
mapfile -t units < <(cd "$root" && find core/src -name '*_torch.cpp' | sort)
for unit in "${units[@]}"; do
  if (cd "$root" && g++ -fsyntax-only -std=c++20 -D_GLIBCXX_USE_CXX11_ABI=1 -DNDEBUG -DDISTILL_VERSION='"check"' \
        -I"$headers" -I"$headers/torch/csrc/api/include" -Icore/include -Icore/src "$unit"); then
    echo "  ok      $unit"
  else
    echo "  FAILED  $unit" >&2
    failed=$((failed + 1))
  fi
done
[ "$failed" -eq 0 ] || { echo "check-torch2-api: $failed of ${#units[@]} units do not compile against libtorch $version" >&2; exit 1; }
echo "check-torch2-api: all ${#units[@]} libtorch units compile against libtorch $version"
