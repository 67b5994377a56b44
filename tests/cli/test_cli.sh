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

exit $fail
