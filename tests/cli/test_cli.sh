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

"$distill" frobnicate >/dev/null 2>"$tmp/err"; rc=$?
check "an unknown subcommand is a usage error (2) that names it and the known ones" \
  "[ $rc -eq 2 ] && grep -q \"^distill: 'frobnicate' is not a subcommand of distill; it has bench, corpus,\" '$tmp/err'"
"$distill" bench nope >/dev/null 2>"$tmp/err"; rc=$?
check "so is an unknown benchmark" \
  "[ $rc -eq 2 ] && grep -qx \"distill: 'nope' is not a subcommand of distill bench; it has embed, communities, search, export\" '$tmp/err'"
"$distill" bench communities --seed 010 >/dev/null 2>"$tmp/err"; rc=$?
check "a count with a leading zero is refused, not read as octal" \
  "[ $rc -eq 2 ] && grep -q -- '--seed: expected a whole number of 0 or more; got 010 (write it without leading zeros)' '$tmp/err'"
mkdir -p "$tmp/math"
distill_path=$(realpath "$distill")
(cd "$tmp" && "$distill_path" format --preset math --input missing.jsonl --output raw.jsonl 2>"$tmp/err"); rc=$?
check "a built-in preset's name is not taken for a folder of that name" "[ $rc -eq 1 ] && grep -q 'missing.jsonl' '$tmp/err' && ! grep -q 'is a folder' '$tmp/err'"
"$distill" format --preset "$tmp" --input x --output y 2>"$tmp/err"; rc=$?
check "a folder given as an input file is named as one" "[ $rc -eq 1 ] && grep -qx -- 'distill: --preset $tmp: is a folder; give a file' '$tmp/err'"

# An empty input is a wrong file: refused, with no empty output written.
printf '\n  \n' >"$tmp/blank.jsonl"
"$distill" embed --model hashing --input "$tmp/blank.jsonl" --output "$tmp/blank.npy" 2>"$tmp/err"; rc=$?
check "embed refuses an input with no lines and writes no 0-row matrix" \
  "[ $rc -eq 1 ] && grep -q 'blank.jsonl: the file holds no JSON lines' '$tmp/err' && [ ! -e '$tmp/blank.npy' ]"
"$distill" format --preset math --input "$tmp/blank.jsonl" --output "$tmp/blank.raw.jsonl" 2>"$tmp/err"; rc=$?
check "format refuses a few-shot file with no lines" \
  "[ $rc -eq 1 ] && grep -q 'blank.jsonl: the file holds no few-shot lines' '$tmp/err' && [ ! -e '$tmp/blank.raw.jsonl' ]"
"$distill" chat --oasst "$tmp/blank.jsonl" --template llama-2 --output "$tmp/blank.chat.jsonl" \
  --conversations "$tmp/blank.conv.jsonl" 2>"$tmp/err"; rc=$?
check "chat refuses a trees file with no lines, writing neither output" \
  "[ $rc -eq 1 ] && grep -q 'blank.jsonl: the file holds no OASST trees' '$tmp/err' && [ ! -e '$tmp/blank.chat.jsonl' ] && [ ! -e '$tmp/blank.conv.jsonl' ]"

# Counts are read as written: CLI11 alone wraps -1 round into 2^64 - 1, and
# prints its range checks with 300-digit bounds.
"$distill" bench communities --rows -5 >/dev/null 2>"$tmp/err"; rc=$?
check "a negative count is a usage error naming the option and what it takes" \
  "[ $rc -eq 2 ] && grep -qx -- '--rows: expected a whole number of 2 or more; got -5' '$tmp/err'"
"$distill" bench embed --tokens 600 >/dev/null 2>"$tmp/err"; rc=$?
check "a count past its range says the range" \
  "[ $rc -eq 2 ] && grep -qx -- '--tokens: expected a whole number from 3 to 512; 600 is too large (at most 512)' '$tmp/err'"
"$distill" export --raw x --tokenizer y --output-dir z --valid-fraction 1 >/dev/null 2>"$tmp/err"; rc=$?
check "--valid-fraction 1 (all rows in valid.pt) is a usage error" \
  "[ $rc -eq 2 ] && grep -qx -- '--valid-fraction: expected a number in \[0, 1); got 1' '$tmp/err'"

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

# distill fewshot on the cd-a vectors (which hold exact duplicate rows) under
# made-up gsm8k-shaped records: shots against numpy's brute force, edits
# replayed and reported, the output read by `distill format`.
py=python3; [ -x /usr/bin/python3 ] && py=/usr/bin/python3  # Debian's, which has numpy
cd_a="$data/cd-a/embeddings.npy"
$py -c "import json; [print(json.dumps({'question': f'question {i}', 'answer': f'#### {i}'})) for i in range(3000)]" >"$tmp/pooled.jsonl"
check "--help lists fewshot" "grep -qE '^ +fewshot( |\$)' '$tmp/help'"
echo '[[0, 7, 14], [2999, 1500], 42]' >"$tmp/origins.json"
"$distill" fewshot --corpus "$tmp/pooled.jsonl" --embeddings "$cd_a" --origins "$tmp/origins.json" --k 5 \
  --output "$tmp/fewshot.jsonl" 2>"$tmp/err"; rc=$?
cat >"$tmp/check_fewshot.py" <<'PY'
import json, sys
import numpy as np
x = np.load(sys.argv[1]).astype(np.float64)
x /= np.linalg.norm(x, axis=1, keepdims=True)
lines = [json.loads(l) for l in open(sys.argv[2])]
origins = [int(l["origin"]["question"].split()[1]) for l in lines]
assert origins == [0, 7, 14, 2999, 1500, 42], origins
for line, o in zip(lines, origins):
    rows = [int(s["question"].split()[1]) for s in line["shot"]]
    cos = x @ x[o]
    cos[o] = -np.inf                       # the origin's own row is never a shot
    best = np.sort(cos)[::-1][:5]
    assert o not in rows, (o, rows)
    assert np.allclose(cos[rows], best, atol=1e-5), (o, rows, cos[rows], best)
    assert np.allclose(line["shot_scores"], best, atol=1e-5), (o, line["shot_scores"], best)
PY
check "fewshot: shots are numpy's top-5 other rows, best first, with their cosines" \
  "[ $rc -eq 0 ] && $py '$tmp/check_fewshot.py' '$cd_a' '$tmp/fewshot.jsonl'"

$py -c "import numpy as np, sys; x = np.load(sys.argv[1]); x[2024, 3] = np.nan; np.save(sys.argv[2], x)" "$cd_a" "$tmp/nan.npy"
"$distill" fewshot --corpus "$tmp/pooled.jsonl" --embeddings "$tmp/nan.npy" --origins "$tmp/origins.json" --k 5 \
  --output "$tmp/nan-fewshot.jsonl" 2>"$tmp/err"; rc=$?
check "fewshot: a NaN row is blamed on --embeddings, not on the --origins searched for" \
  "[ $rc -eq 1 ] && grep -q 'nan.npy: embeddings: row 2024 (0-based) contains NaN' '$tmp/err' && ! grep -q origins.json '$tmp/err'"

cat >"$tmp/edits.json" <<'JSON'
[{"edit": "drop", "origin": "question 7"},
 {"edit": "replace", "origin": "question 0", "shot": "question 2024", "with": "question 5"},
 {"edit": "remove", "origin": "question 8", "shot": "question 1"}]
JSON
"$distill" fewshot --corpus "$tmp/pooled.jsonl" --embeddings "$cd_a" --origins "$tmp/origins.json" \
  --edits "$tmp/edits.json" --output "$tmp/edited.jsonl" --report "$tmp/fewshot-report.json" 2>"$tmp/err"; rc=$?
check "fewshot: edits are replayed; one that no longer applies is reported, not fatal" \
  "[ $rc -eq 0 ] && [ \$(wc -l <'$tmp/edited.jsonl') -eq 5 ] && grep -q 'edit 2 (remove, origin \"question 8\") not applied: the origin is no longer sampled' '$tmp/err' && $py -c \"import json,sys; l=[json.loads(x) for x in open(sys.argv[1])]; r=json.load(open(sys.argv[2])); sys.exit(not (l[0]['shot'][0]['question']=='question 5' and r['edits_applied']==2 and r['edits_unapplied'][0]['index']==2))\" '$tmp/edited.jsonl' '$tmp/fewshot-report.json'"

"$distill" format --preset math --input "$tmp/edited.jsonl" --output "$tmp/fewshot-raw.jsonl" 2>/dev/null; rc=$?
check "format reads the few-shot file (its shot_scores key is ignored)" \
  "[ $rc -eq 0 ] && [ \$(wc -l <'$tmp/fewshot-raw.jsonl') -eq 5 ] && grep -q 'Q: question 5' '$tmp/fewshot-raw.jsonl'"

"$distill" communities --embeddings "$cd_a" --threshold 0.75 --min-size 10 --output "$tmp/communities.json" 2>/dev/null
"$distill" fewshot --corpus "$tmp/pooled.jsonl" --embeddings "$cd_a" --communities "$tmp/communities.json" \
  --sample 40 --seed 7 --k 3 --output "$tmp/sampled.jsonl" 2>/dev/null; rc=$?
check "fewshot --communities --sample: SPEC 3's per-community counts of members, 3 shots each" \
  "[ $rc -eq 0 ] && $py -c \"import json,sys; cs=json.load(open(sys.argv[1])); t=sum(map(len,cs)); n=40; want=sum(min(len(c),max(1,len(c)*n//t)) for c in cs) if n>=len(cs) else n; c={m for x in cs for m in x}; l=[json.loads(x) for x in open(sys.argv[2])]; sys.exit(not (len(l)==want and all(int(x['origin']['question'].split()[1]) in c and len(x['shot'])==3 for x in l)))\" '$tmp/communities.json' '$tmp/sampled.jsonl'"

head -n 2999 "$tmp/pooled.jsonl" >"$tmp/short.jsonl"
"$distill" fewshot --corpus "$tmp/short.jsonl" --embeddings "$cd_a" --origins "$tmp/origins.json" \
  --output "$tmp/never.jsonl" 2>"$tmp/err"; rc=$?
check "fewshot: a corpus that does not match the embeddings fails with a one-line reason, no output" \
  "[ $rc -eq 1 ] && tail -n 1 '$tmp/err' | grep -q '^distill: .*short.jsonl.*2999 records but the embeddings 3000 rows' && [ ! -e '$tmp/never.jsonl' ]"
"$distill" fewshot --corpus "$tmp/pooled.jsonl" --embeddings "$cd_a" --output "$tmp/never.jsonl" 2>/dev/null; rc=$?
check "fewshot without --origins or --communities is a usage error (2)" "[ $rc -eq 2 ]"
# Clustering (SPEC §3): bench subcommands, the threshold sweep, k-means, the map.
"$distill" bench --help >"$tmp/bench-help" 2>&1
for sub in communities search; do
  check "bench --help lists $sub" "grep -qE '^ +$sub( |\$)' '$tmp/bench-help'"
done
"$distill" bench communities --rows 2000 --dim 32 >"$tmp/bench" 2>/dev/null
check "bench communities reports seconds and the matmul ratio" "grep -qE '^communities: 2000 x 32 on cpu .* s, .*ratio [0-9.]+\)' '$tmp/bench'"
"$distill" bench search --corpus-rows 2000 --queries 100 --dim 32 >"$tmp/bench" 2>/dev/null
check "bench search reports queries/s" "grep -qE '^search: top-5 of 2000 x 32 corpus rows for 100 queries .*queries/s' '$tmp/bench'"

cda="$data/cd-a/embeddings.npy"
"$distill" communities --embeddings "$cda" --sweep 0.5:0.95:0.05 --min-size 5 --output "$tmp/sweep.json" >"$tmp/sweep" 2>/dev/null
check "--sweep prints a row per threshold" "[ \$(grep -cE '^ +0\.[5-9][05]? +[0-9]+ +[0-9]+ +[0-9]+\$' '$tmp/sweep') -eq 10 ]"
"$distill" communities --embeddings "$cda" --threshold 0.6 --min-size 5 --output "$tmp/c.json" 2>/dev/null
check "--sweep's JSON agrees with a plain run at 0.6" "/usr/bin/python3 -c \"import json,sys; s=json.load(open(sys.argv[1])); c=json.load(open(sys.argv[2])); r=[t for t in s['thresholds'] if t['threshold']==0.6][0]; sys.exit(not (s['one_pass'] and r['communities']==len(c) and r['covered']==sum(map(len,c))))\" '$tmp/sweep.json' '$tmp/c.json'"
# Every file is checked before any work, so a bad second output leaves the
# first as it was, and an output is never one of the inputs.
cp "$tmp/c.json" "$tmp/c-before.json"
"$distill" communities --embeddings "$cda" --threshold 0.9 --output "$tmp/c.json" --map "$tmp/no/map.json" 2>"$tmp/err"; rc=$?
check "a --map into a missing folder fails first, naming it, and --output is left as it was" \
  "[ $rc -eq 1 ] && grep -q -- '--map $tmp/no/map.json: the folder $tmp/no does not exist' '$tmp/err' && cmp -s '$tmp/c.json' '$tmp/c-before.json'"
head -n 10 "$tmp/pooled.jsonl" >"$tmp/ten.jsonl"
"$distill" communities --embeddings "$cda" --threshold 0.9 --output "$tmp/c.json" --map "$tmp/map.json" \
  --questions "$tmp/ten.jsonl" 2>"$tmp/err"; rc=$?
check "a map that cannot be built (--questions of another corpus) leaves --output as it was" \
  "[ $rc -eq 1 ] && grep -q 'holds 10 questions for the 3000 rows' '$tmp/err' && cmp -s '$tmp/c.json' '$tmp/c-before.json' && [ ! -e '$tmp/map.json' ]"
printf '{"text": "a"}\n' >"$tmp/texts.jsonl"
"$distill" communities --embeddings "$cda" --threshold 0.9 --output "$tmp/c.json" --map "$tmp/map.json" \
  --questions "$tmp/texts.jsonl" 2>"$tmp/err"; rc=$?
check "--questions that is not a pooled corpus says to give the corpus, not to fix a column map" \
  "[ $rc -eq 1 ] && grep -q -- '--questions .*texts.jsonl:1: no column \"question\" .*; give the pooled corpus the embeddings were made from' '$tmp/err' && ! grep -q 'column map' '$tmp/err'"
"$distill" fewshot --corpus "$tmp/texts.jsonl" --embeddings "$cda" --origins "$tmp/origins.json" --output "$tmp/f.jsonl" 2>"$tmp/err"; rc=$?
check "so does fewshot --corpus" \
  "[ $rc -eq 1 ] && grep -q -- '--corpus .*texts.jsonl:1: no column \"question\" .*; give the pooled corpus' '$tmp/err' && ! grep -q 'column map' '$tmp/err'"
cp "$tmp/ten.jsonl" "$tmp/ten-before.jsonl"
"$distill" embed --model hashing --input "$tmp/ten.jsonl" --field question --output "$tmp/../$(basename "$tmp")/ten.jsonl" 2>"$tmp/err"; rc=$?
check "an --output that is the --input is refused, and the input kept" \
  "[ $rc -eq 1 ] && grep -q 'is also --input .*ten.jsonl, which would be overwritten by its own output' '$tmp/err' && cmp -s '$tmp/ten.jsonl' '$tmp/ten-before.jsonl'"

"$distill" communities --embeddings "$cda" --sweep 0.9:0.5:0.1 2>"$tmp/err"; rc=$?
check "a backwards --sweep range fails naming the form" "[ $rc -eq 1 ] && grep -q 'FIRST <= LAST' '$tmp/err'"
"$distill" communities --embeddings "$cda" --sweep 0.5,high 2>/dev/null; rc=$?
check "a --sweep list that is not numbers is a usage error" "[ $rc -eq 2 ]"

# --approximate: probing every list is exact (the same communities; members
# whose cosines differ in the last float bit may swap places, the first one
# too when it has a duplicate row, whose tie faiss 1.11 of Debian 13 rounds
# the other way), and the recall goes to stderr.
"$distill" communities --embeddings "$cda" --threshold 0.6 --min-size 5 --approximate --nlist 50 --nprobe 50 \
  --output "$tmp/ca.json" 2>"$tmp/err"
check "--approximate with nprobe = nlist writes the exact communities and a recall of 1" \
  "/usr/bin/python3 -c \"import json,sys,numpy as np; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); e=np.load(sys.argv[3]).astype(np.float64); e/=np.linalg.norm(e,axis=1,keepdims=True); sys.exit(not (len(a)==len(b)==86 and all((x[0]==y[0] or e[x[0]]@e[y[0]]>1-1e-6) and sorted(x)==sorted(y) for x,y in zip(a,b))))\" '$tmp/ca.json' '$tmp/c.json' '$cda' && grep -qE '^approximate \(faiss IVF, nlist 50, nprobe 50\): neighbour recall 1\.0000 ' '$tmp/err'"
"$distill" communities --embeddings "$cda" --threshold 0.6 --min-size 5 --approximate --nprobe 1 \
  --output "$tmp/ca.json" 2>"$tmp/err"
check "--approximate --nprobe 1 reports a recall below 1" \
  "grep -qE 'nprobe 1\): neighbour recall 0\.[0-9]+ \([0-9]+ of [0-9]+\) on 1000 sampled rows' '$tmp/err'"
"$distill" communities --embeddings "$cda" --nprobe 4 --output "$tmp/ca.json" 2>/dev/null; rc=$?
check "--nprobe without --approximate is a usage error" "[ $rc -eq 2 ]"
"$distill" communities --embeddings "$cda" --approximate --method kmeans --k 5 --output "$tmp/ca.json" 2>/dev/null; rc=$?
check "--approximate with --method kmeans is a usage error" "[ $rc -eq 2 ]"
"$distill" bench communities --rows 2000 --dim 32 --approximate --nprobe 4 >"$tmp/bench" 2>/dev/null
check "bench communities --approximate reports the recall and the exact seconds" \
  "grep -qE '^communities: 2000 x 32 .* neighbour recall [01]\.[0-9]+ .*; exact: [0-9.]+ s, .*times (faster|slower)\\)' '$tmp/bench'"

"$distill" communities --embeddings "$cda" --method kmeans --k 25 --output "$tmp/km.json" 2>/dev/null
check "kmeans puts every row in one of k clusters, largest first" "/usr/bin/python3 -c \"import json,sys; c=json.load(open(sys.argv[1])); r=sorted(x for l in c for x in l); sys.exit(not (len(c)==25 and r==list(range(3000)) and all(len(a)>=len(b) for a,b in zip(c,c[1:]))))\" '$tmp/km.json'"
"$distill" communities --embeddings "$cda" --method kmeans --output "$tmp/km.json" 2>/dev/null; rc=$?
check "kmeans without --k is a usage error" "[ $rc -eq 2 ]"
"$distill" communities --embeddings "$cda" --method kmeans --k 3001 --output "$tmp/km2.json" 2>"$tmp/err"; rc=$?
check "kmeans with k > rows fails with one line" "[ $rc -eq 1 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q 'use k <= 3000' '$tmp/err' && [ ! -e '$tmp/km2.json' ]"

/usr/bin/python3 -c "import json; [print(json.dumps({'question': 'question %d about %s' % (i, ('apples', 'pears')[i % 2]), 'answer': str(i)})) for i in range(3000)]" >"$tmp/corpus.jsonl"
"$distill" communities --embeddings "$cda" --threshold 0.6 --min-size 5 --output "$tmp/c.json" \
  --map "$tmp/map.json" --questions "$tmp/corpus.jsonl" --sample 50 2>/dev/null
check "--map writes points, clusters, keywords and the sample" "/usr/bin/python3 -c \"import json,sys; m=json.load(open(sys.argv[1])); c=json.load(open(sys.argv[2])); s=sum(len(k['sampled']) for k in m['clusters']); sys.exit(not (len(m['projection']['points'])==3000 and [k['members'] for k in m['clusters']]==c and m['clusters'][0]['keywords'] and 50<=s<=50+len(c) and m['clustering']['sample']==50))\" '$tmp/map.json' '$tmp/c.json'"
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
  : >"$tmp/empty.jsonl"
  "$distill" export --raw "$tmp/empty.jsonl" --tokenizer "$tok" --output-dir "$tmp/export" 2>"$tmp/err"; rc=$?
  check "an empty raw file exports nothing and keeps the last export (an empty train.pt only fails training)" \
    "[ $rc -eq 1 ] && grep -q 'no rows to export: $tmp/empty.jsonl holds no' '$tmp/err' && cmp -s '$tmp/export/train.pt' '$tmp/train.before'"
  printf '{"model": {"type": "BPE"}}' >"$tmp/tokenizer.json"
  "$distill" export --raw "$tmp/raw.jsonl" --tokenizer "$tmp/tokenizer.json" --output-dir "$tmp/export" 2>"$tmp/err"; rc=$?
  check "a tokenizer that is not sentencepiece fails with one line naming it" \
    "[ $rc -eq 1 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q 'tokenizer.json: not a sentencepiece model' '$tmp/err'"
  # A full disk, as RLIMIT_FSIZE makes it: write() fails with EFBIG once a file passes 16 KiB.
  for i in $(seq 200); do cat "$tmp/raw.jsonl"; done >"$tmp/big.jsonl"
  (trap '' XFSZ; ulimit -f 16; exec "$distill" export --raw "$tmp/big.jsonl" --tokenizer "$tok" --output-dir "$tmp/export") 2>"$tmp/err"; rc=$?
  check "a full disk fails with a one-line reason and leaves the previous export untouched" \
    "[ $rc -eq 1 ] && [ \$(grep -c '^distill: ' '$tmp/err') -eq 1 ] && tail -1 '$tmp/err' | grep -q 'disk full' && cmp -s '$tmp/train.before' '$tmp/export/train.pt' && [ \$(ls -A '$tmp/export' | wc -l) -eq 3 ]"
  # A scheduler's time limit (SIGTERM) or a closed terminal (SIGHUP) mid-export:
  # the tokenizing stops at its next check, the temporary files go, the
  # previous export stays; the exit code is 128 + the signal, as a shell's.
  /usr/bin/python3 -c "
import json
words = ' '.join('word%d' % (i % 997) for i in range(300))
for i in range(20000): print(json.dumps({'instruction': '', 'input': 'Q: %d %s\\nA:' % (i, words), 'output': ' yes'}))" >"$tmp/long.jsonl"
  for sig in TERM:143 HUP:129; do
    "$distill" export --raw "$tmp/long.jsonl" --tokenizer "$tok" --output-dir "$tmp/export" 2>"$tmp/err" & pid=$!
    # Once it is exporting (its staging folder is there): a signal before
    # that, on a loaded machine still loading libtorch, would only test the
    # default action. Twice, as a closing terminal sends SIGHUP: the second
    # must not kill the cleanup.
    for i in $(seq 300); do ls -A "$tmp/export" | grep -q '^\.distill-export-' && break; sleep 0.1; done
    kill -"${sig%:*}" $pid; sent=$?; kill -"${sig%:*}" $pid 2>/dev/null; wait $pid; rc=$?
    check "SIG${sig%:*} during an export exits ${sig#*:}, removes its temporary files and keeps the previous export" \
      "[ $sent -eq 0 ] && [ $rc -eq ${sig#*:} ] && tail -1 '$tmp/err' | grep -q '^distill: cancelled (SIG${sig%:*}); no partial output' && cmp -s '$tmp/train.before' '$tmp/export/train.pt' && [ \$(ls -A '$tmp/export' | wc -l) -eq 3 ]"
  done
  "$distill" bench export --tokenizer "$tok" --rows 200 --words 100 >"$tmp/bench" 2>/dev/null; rc=$?
  check "bench export reports rows/s" "[ $rc -eq 0 ] && grep -qE '^export: 200 rows, [0-9]+ tokens .* rows/s' '$tmp/bench'"
  # A SLURM job's cpuset, as taskset makes it: one thread per CPU granted,
  # not per CPU of the node.
  taskset -c 0 "$distill" bench export --tokenizer "$tok" --rows 200 --words 100 >"$tmp/bench" 2>/dev/null; rc=$?
  check "bench export under a one-CPU affinity mask tokenizes on one thread" \
    "[ $rc -eq 0 ] && grep -q ' with 1 tokenizer thread: ' '$tmp/bench'"
else
  echo "FAIL export: the Llama-2 tokenizer is missing (DISTILL_LLAMA_TOKENIZER); run installer/fetch-tokenizer.sh"; fail=1
fi

# distill embed and bench embed on the fixture models.
for model in tiny-bert-cls tiny-mpnet-mean; do
  "$distill" embed --model "$data/models/$model" --input "$data/models/sentences.jsonl" --output "$tmp/$model.npy" \
    --device cpu --batch-size 5 2>"$tmp/err"; rc=$?
  check "embed $model exits 0" "[ $rc -eq 0 ]"
  check "embed $model matches sentence-transformers (cosine >= 0.9999 per row)" "$py -c \"
import sys, numpy as np
e, g = np.load(sys.argv[1]), np.load(sys.argv[2])
sys.exit(not (e.dtype == np.float32 and e.shape == g.shape and
              ((e * g).sum(1) / np.linalg.norm(e, axis=1) / np.linalg.norm(g, axis=1)).min() >= 0.9999))
\" '$tmp/$model.npy' '$data/models/$model/golden_embeddings.npy'"
done

"$distill" embed --model hashing --input "$data/models/sentences.jsonl" --output "$tmp/hashing.npy" 2>/dev/null
check "embed --model hashing writes one row per line, unit (or zero for a text without words)" "$py -c \"
import sys, numpy as np
e = np.load(sys.argv[1]); n = sum(1 for _ in open(sys.argv[2])); norms = np.linalg.norm(e, axis=1)
sys.exit(not (e.shape[0] == n and (np.isclose(norms, 1, atol=1e-5) | (norms == 0)).all() and (norms > 0).sum() > n - 3))
\" '$tmp/hashing.npy' '$data/models/sentences.jsonl'"

printf '{"text": "fine"}\n{"question": "no text field"}\n' >"$tmp/bad.jsonl"
"$distill" embed --model hashing --input "$tmp/bad.jsonl" --output "$tmp/bad.npy" 2>"$tmp/err"; rc=$?
check "embed names the file and line of a bad input line, one line, exit 1" \
  "[ $rc -eq 1 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q 'bad.jsonl:2: has no \"text\" field' '$tmp/err'"
check "a failed embed leaves no output file" "[ ! -e '$tmp/bad.npy' ]"

"$distill" embed --model "$data/models/no-such-model" --input "$tmp/bad.jsonl" --output "$tmp/bad.npy" \
  2>"$tmp/err"; rc=$?
check "embed with a model path that is not there fails with one line" \
  "[ $rc -eq 1 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q 'no-such-model' '$tmp/err'"

if "$distill" --version | grep -q 'no CUDA device'; then
  "$distill" embed --model "$data/models/tiny-bert-cls" --input "$data/models/sentences.jsonl" --output "$tmp/c.npy" \
    --device cuda 2>"$tmp/err"; rc=$?
  check "embed --device cuda without a GPU says so in one line" \
    "[ $rc -eq 1 ] && [ \$(wc -l <'$tmp/err') -eq 1 ] && grep -q 'no CUDA device' '$tmp/err'"
fi

"$distill" bench embed --model "$data/models/tiny-mpnet-mean" --count 200 --device cpu >"$tmp/bench" 2>/dev/null
check "bench embed prints questions/s and tokens/s" "grep -qE '[0-9]+ questions/s, [0-9]+ tokens/s' '$tmp/bench'"

# distill run: the whole pipeline on the demo project (its sources made
# absolute, the tokenizer the tests use), then again from its cache.
demo="$(cd "$data/../../resources/demo" && pwd)/demo.distill.json"
/usr/bin/python3 -c "
import json, os, sys
p = json.load(open(sys.argv[1]))
for s in p['sources']: s['path'] = os.path.join(os.path.dirname(sys.argv[1]), s['path'])
p['pipeline']['tokenizer'] = sys.argv[2]
json.dump(p, open(sys.argv[3], 'w'))" "$demo" "${DISTILL_LLAMA_TOKENIZER:-}" "$tmp/demo.distill.json"
"$distill" run --config "$tmp/demo.distill.json" --output-dir "$tmp/run" 2>"$tmp/run.log"; rc=$?
check "run: every stage of the demo, ending in a train.pt that torch.load reads" \
  "[ $rc -eq 0 ] && [ \$(grep -cE '^\[[1-8]/8\] [a-z]+ +[0-9.]+ s: ' '$tmp/run.log') -eq 8 ] && /usr/bin/python3 -c \"import torch,sys; t=torch.load(sys.argv[1], weights_only=True); sys.exit(not t)\" '$tmp/run/train.pt'"
"$distill" run --config "$tmp/demo.distill.json" --output-dir "$tmp/run" 2>"$tmp/run.log"; rc=$?
check "run: a second run reuses every stage after the corpus" "[ $rc -eq 0 ] && [ \$(grep -c ' cached: ' '$tmp/run.log') -eq 7 ]"
"$distill" run --config "$data/README.md" --output-dir "$tmp/run2" 2>"$tmp/err"; rc=$?
check "run: a config that is not a project fails with one line" "[ $rc -eq 1 ] && [ \$(wc -l <'$tmp/err') -eq 1 ]"

exit $fail
