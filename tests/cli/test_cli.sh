#!/usr/bin/env bash
# The `distill` command-line contract (SPEC §9), checked through the real
# executable: help lists every subcommand, errors are one line on stderr with
# a non-zero exit, and the corpus subcommand pools real files.
set -u
distill=$1; data=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }

"$distill" --help >"$tmp/help" 2>&1
for sub in embed tokens communities search format chat export run bench corpus presets; do
  check "--help lists $sub" "grep -qE '^ +$sub( |\$)' '$tmp/help'"
done
check "--version names the version and libtorch" \
  "'$distill' --version | grep -qE '^distill [0-9]+\.[0-9]+\.[0-9]+' && '$distill' --version | grep -q libtorch"

"$distill" embed --model hashing --input x.jsonl --output y.npy 2>"$tmp/err"; rc=$?
check "a stage not built yet exits 69 with one line" "[ $rc -eq 69 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q 'not built yet' '$tmp/err'"

"$distill" frobnicate >/dev/null 2>&1; rc=$?
check "an unknown subcommand is a usage error (2)" "[ $rc -eq 2 ]"

"$distill" presets >"$tmp/presets"
check "presets lists math with math_qa's columns" "grep -qE 'math_qa +question=Problem +answer=correct' '$tmp/presets'"

"$distill" corpus --source "$data/corpus/missing.jsonl" --output "$tmp/out.jsonl" 2>"$tmp/err"; rc=$?
check "a missing source fails with one line naming it" \
  "[ $rc -eq 1 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q 'missing.jsonl' '$tmp/err'"
check "a failed run leaves no output file" "[ ! -e '$tmp/out.jsonl' ] && [ -z \"\$(ls -A '$tmp' | grep tmp-)\" ]"

for model in tiny-bert-cls tiny-mpnet-mean; do
  "$distill" tokens --model "$data/models/$model" --input "$data/models/sentences.jsonl" --output "$tmp/$model.jsonl" 2>/dev/null
  check "tokens of $model equal the reference's ids" "python3 -c \"import json,sys; a=[json.loads(l)['input_ids'] for l in open(sys.argv[1])]; b=[json.loads(l)['input_ids'] for l in open(sys.argv[2])]; sys.exit(a!=b)\" '$tmp/$model.jsonl' '$data/models/$model/golden_tokens.jsonl'"
done

# export (SPEC §6): the real Llama-2 tokenizer, read back by Debian's torch and sentencepiece.
tok=${DISTILL_LLAMA_TOKENIZER:-}
if [ -f "$tok" ]; then
  printf '%s\n' '{"instruction": "", "input": "Q: café 数学 😀?\nA:", "output": " yes"}' \
    '{"input": "Q: 2+2?\nA:", "output": " 4", "instruction": "The following are multiple choice questions (with answers).\n"}' \
    '{"instruction": "", "input": "Q: a very long question that the limit cuts short\nA:", "output": " a long answer"}' >"$tmp/raw.jsonl"
  "$distill" export --raw "$tmp/raw.jsonl" --raw "$tmp/raw.jsonl" --tokenizer "$tok" --output-dir "$tmp/export" \
    --max-seq-len 20 --mask-inputs --valid-fraction 0.34 2>"$tmp/err"; rc=$?
  check "export writes train.pt, valid.pt and manifest.json" \
    "[ $rc -eq 0 ] && [ \"\$(ls '$tmp/export')\" = \"\$(printf 'manifest.json\ntrain.pt\nvalid.pt')\" ]"
  check "train.pt and valid.pt load with weights_only=True and hold lit-gpt's rows" "/usr/bin/python3 - '$tmp/export' '$tok' <<'PY'
import sys, torch, sentencepiece as spm
out, tok = sys.argv[1], sys.argv[2]
sp = spm.SentencePieceProcessor(model_file=tok)
rows = torch.load(out + '/train.pt', weights_only=True) + torch.load(out + '/valid.pt', weights_only=True)
assert len(rows) == 6, len(rows)
for r in rows:
    ids = (sp.encode(r['instruction'] + r['input'] + r['output']) + [sp.eos_id()])[:20]
    prompt = sp.encode(r['instruction'] + r['input'])[:20]
    assert r['input_ids'].tolist() == ids and r['input_ids_no_response'].tolist() == prompt, r
    assert r['labels'].tolist() == [-1] * min(len(prompt), len(ids)) + ids[len(prompt):], r
    assert all(r[k].dtype == torch.int32 for k in ('input_ids', 'input_ids_no_response', 'labels'))
PY"
  check "the manifest counts rows, the split and truncated rows" "/usr/bin/python3 -c \"
import json, sys; m = json.load(open('$tmp/export/manifest.json')); c = m['counts']
sys.exit(not (c['rows'] == 6 and c['train_rows'] == 4 and c['valid_rows'] == 2 and c['truncated_rows'] == 2
              and len(m['inputs']) == 2 and m['settings']['mask_inputs'] is True))\""

  cp "$tmp/export/train.pt" "$tmp/train.before"
  printf '{"model": {"type": "BPE"}}' >"$tmp/tokenizer.json"
  "$distill" export --raw "$tmp/raw.jsonl" --tokenizer "$tmp/tokenizer.json" --output-dir "$tmp/export" 2>"$tmp/err"; rc=$?
  check "a tokenizer that is not sentencepiece fails with one line naming it" \
    "[ $rc -eq 1 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q 'tokenizer.json: not a sentencepiece model' '$tmp/err'"
  # A full disk, as RLIMIT_FSIZE makes it: write() fails with EFBIG once a file passes 16 KiB.
  for i in $(seq 200); do cat "$tmp/raw.jsonl"; done >"$tmp/big.jsonl"
  (trap '' XFSZ; ulimit -f 16; exec "$distill" export --raw "$tmp/big.jsonl" --tokenizer "$tok" --output-dir "$tmp/export") 2>"$tmp/err"; rc=$?
  check "a full disk fails with a one-line reason and leaves the previous export untouched" \
    "[ $rc -eq 1 ] && [ \$(grep -c '^distill: ' '$tmp/err') -eq 1 ] && tail -1 '$tmp/err' | grep -q 'disk full' && cmp -s '$tmp/train.before' '$tmp/export/train.pt' && [ \$(ls -A '$tmp/export' | wc -l) -eq 3 ]"
  "$distill" bench export --tokenizer "$tok" --rows 200 --words 100 >"$tmp/bench" 2>/dev/null; rc=$?
  check "bench export reports rows/s" "[ $rc -eq 0 ] && grep -qE '^export: 200 rows, [0-9]+ tokens .* rows/s' '$tmp/bench'"
else
  echo "FAIL export: the Llama-2 tokenizer is missing (DISTILL_LLAMA_TOKENIZER); run installer/fetch-tokenizer.sh"; fail=1
fi

exit $fail
