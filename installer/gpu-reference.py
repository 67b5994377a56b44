"""The reference stack's side of installer/gpu-check.sh, run on the GPU
machine, whose PyTorch and sentence-transformers are the ones SPEC §8 timed.
SPEC §8's figures are from an H100; the lent machine may be another GPU, so
gpu-check.sh times the reference there too and compares like with like.

  gpu-reference.py model FIXTURE_DIR OUT_DIR
      an MPNet-base-sized sentence-transformers directory with random weights
      (hidden 768, 12 layers, 12 heads), on the fixture's tokenizer and modules
  gpu-reference.py questions N OUT.jsonl
      N synthetic questions of about 30 tokens, {"text": ...} per line
  gpu-reference.py encode MODEL_DIR QUESTIONS.jsonl N OUT.npy
      sentence-transformers' encode of the first N questions: fp32 batch 64
      (the reference's settings, saved to OUT.npy) and fp16 batch 256, timed
  gpu-reference.py variants FIXTURES OUT_ROOT
      model directories the fixtures do not cover (max pooling, no Normalize,
      cased, stripped accents, truncation, older config formats), each with
      golden_tokens.jsonl and golden_embeddings.npy of sentences.jsonl made
      by sentence-transformers on the CPU: unseen cases for our tokenizer
      and encoders, checked against the reference on the machine that has it
  gpu-reference.py tokens A.jsonl B.jsonl
      how many lines have the same input_ids; fails unless all do
  gpu-reference.py compare A.npy B.npy [MIN]
      the least per-row cosine between the first rows both files have;
      fails when MIN is given and the least is below it
"""
import json
import os
import random
import shutil
import sys
import time

import numpy as np


def make_model(fixture, out):
    import torch
    from transformers import MPNetConfig, MPNetModel

    shutil.copytree(fixture, out, dirs_exist_ok=True)
    for golden in ("golden_embeddings.npy", "golden_tokens.jsonl"):
        if os.path.exists(os.path.join(out, golden)):
            os.remove(os.path.join(out, golden))
    config = MPNetConfig.from_pretrained(fixture)
    config.hidden_size, config.num_hidden_layers, config.num_attention_heads = 768, 12, 12
    config.intermediate_size, config.max_position_embeddings = 3072, 514
    config.initializer_range = 0.02  # BERT's; the fixture's 0.2 saturates 12 layers
    torch.manual_seed(0)
    MPNetModel(config).save_pretrained(out)  # config.json and model.safetensors
    pooling = os.path.join(out, "1_Pooling", "config.json")
    settings = json.load(open(pooling))
    for key in ("embedding_dimension", "word_embedding_dimension"):
        if key in settings:
            settings[key] = 768
    json.dump(settings, open(pooling, "w"), indent=4)
    print(f"model: random-weight MPNet-base shape at {out}")


def questions(n, out):
    vocab = json.load(open(os.path.join(os.path.dirname(__file__), "..", "tests", "data", "models",
                                        "tiny-mpnet-mean", "tokenizer.json")))["model"]["vocab"]
    words = [w for w in vocab if w.isalpha() and len(w) > 2]
    rng = random.Random(7)
    with open(out, "w", encoding="utf-8") as f:
        for _ in range(n):
            f.write(json.dumps({"text": " ".join(rng.choice(words) for _ in range(rng.randint(20, 32))) + "?"}) + "\n")
    print(f"questions: {n} in {out}")


def encode(model_dir, questions_file, n, out):
    import torch
    from sentence_transformers import SentenceTransformer

    texts = [json.loads(line)["text"] for _, line in zip(range(n), open(questions_file, encoding="utf-8"))]
    model = SentenceTransformer(model_dir, device="cuda")
    sample = texts[:2000]
    tokens = sum(len(ids) for ids in model.tokenizer(sample)["input_ids"]) / len(sample)
    for dtype, batch in (("fp32", 64), ("fp16", 256)):
        if dtype == "fp16":
            model = model.half()
        model.encode(texts[:batch * 4], batch_size=batch)  # warm-up
        torch.cuda.synchronize()
        start = time.perf_counter()
        vectors = model.encode(texts, batch_size=batch, convert_to_numpy=True)
        torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        print(f"reference encode {dtype} batch {batch}: {len(texts)} questions (~{tokens:.0f} tokens) in "
              f"{seconds:.2f} s: {len(texts) / seconds:.0f} questions/s")
        if dtype == "fp32":
            np.save(out, vectors.astype(np.float32))


def edit_json(path, change):
    data = json.load(open(path, encoding="utf-8"))
    change(data)
    json.dump(data, open(path, "w", encoding="utf-8"), indent=2, ensure_ascii=False)


def variants(fixtures, out_root):
    from sentence_transformers import SentenceTransformer

    def drop_normalize(modules):
        modules[:] = [m for m in modules if not m["type"].endswith("Normalize")]

    def normalizer(**settings):
        return lambda t: t["normalizer"].update(settings)

    def max_length(n):
        return lambda c: c.update(model_max_length=n)

    def default_prompt(text):
        return lambda c: c.update(prompts={"query": text, "document": ""}, default_prompt_name="query")

    def old_pooling(mode, dim=64):
        modes = ("cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens")
        return lambda c: (c.clear(), c.update({"word_embedding_dimension": dim,
                                               **{f"pooling_mode_{m}": m == mode for m in modes}}))

    cases = {
        # fixture, {file: change}
        "bert-max-no-normalize": ("tiny-bert-cls", {
            "1_Pooling/config.json": lambda c: c.update(pooling_mode="max"),
            "modules.json": drop_normalize}),
        "bert-cased-mean-16": ("tiny-bert-cls", {
            "tokenizer.json": normalizer(lowercase=False, strip_accents=False),
            "tokenizer_config.json": max_length(16),
            "1_Pooling/config.json": lambda c: c.update(pooling_mode="mean")}),
        "mpnet-cls-strip-accents-24": ("tiny-mpnet-mean", {
            "tokenizer.json": normalizer(lowercase=False, strip_accents=True),
            "tokenizer_config.json": max_length(24),
            "1_Pooling/config.json": lambda c: c.update(pooling_mode="cls")}),
        "mpnet-old-format-20": ("tiny-mpnet-mean", {
            "1_Pooling/config.json": old_pooling("mean_tokens"),
            "sentence_bert_config.json": lambda c: (c.clear(), c.update(max_seq_length=20, do_lower_case=False))}),
        "mpnet-no-pooling-mode": ("tiny-mpnet-mean", {
            "1_Pooling/config.json": old_pooling(None)}),
        # e5-style: a default prompt before every text, pooled with it
        "bert-query-prompt": ("tiny-bert-cls", {
            "config_sentence_transformers.json": default_prompt("query: ")}),
        # INSTRUCTOR-style: the prompt attended to but not pooled
        "mpnet-prompt-unpooled": ("tiny-mpnet-mean", {
            "config_sentence_transformers.json": default_prompt("Represent the question: "),
            "1_Pooling/config.json": lambda c: c.update(include_prompt=False)}),
        "bert-cls-prompt-unpooled": ("tiny-bert-cls", {
            "config_sentence_transformers.json": default_prompt("query: "),
            "1_Pooling/config.json": lambda c: c.update(include_prompt=False)}),
    }
    texts = [json.loads(line)["text"] for line in open(os.path.join(fixtures, "sentences.jsonl"), encoding="utf-8")]
    for name, (base, changes) in cases.items():
        out = os.path.join(out_root, name)
        shutil.copytree(os.path.join(fixtures, base), out, dirs_exist_ok=True)
        for file, change in changes.items():
            edit_json(os.path.join(out, file), change)
        model = SentenceTransformer(out, device="cpu")
        tokenize = getattr(model, "tokenize", None) or model.preprocess
        # what encode() feeds the model: the default prompt before each text
        prompt = model.prompts.get(model.default_prompt_name) if model.default_prompt_name else None
        features = tokenize([prompt + t for t in texts] if prompt else texts)
        with open(os.path.join(out, "golden_tokens.jsonl"), "w") as f:
            for ids, mask in zip(features["input_ids"], features["attention_mask"]):
                f.write(json.dumps({"input_ids": ids[mask.bool()].tolist()}) + "\n")
        np.save(os.path.join(out, "golden_embeddings.npy"),
                model.encode(texts, batch_size=64, convert_to_numpy=True).astype(np.float32))
        print(f"variant {name}: max_seq_length {model.max_seq_length}, {len(texts)} golden rows")


def same_tokens(a, b):
    x = [json.loads(line)["input_ids"] for line in open(a, encoding="utf-8")]
    y = [json.loads(line)["input_ids"] for line in open(b, encoding="utf-8")]
    same = sum(p == q for p, q in zip(x, y))
    wrong = [i for i, (p, q) in enumerate(zip(x, y)) if p != q][:3]
    print(f"tokens {same}/{len(y)} lines the same" + (f" (first wrong {wrong})" if wrong else ""))
    return 0 if same == len(x) == len(y) else 1


def compare(a, b, least=None):
    x, y = np.load(a), np.load(b)
    rows = min(len(x), len(y))
    x, y = x[:rows].astype(np.float64), y[:rows].astype(np.float64)
    cos = (x * y).sum(1) / np.linalg.norm(x, axis=1) / np.linalg.norm(y, axis=1)
    print(f"min cosine {cos.min():.6f} (row {int(cos.argmin())}) over {rows} rows")
    return 0 if least is None or cos.min() >= float(least) else 1


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "model":
        make_model(*args)
    elif command == "questions":
        questions(int(args[0]), args[1])
    elif command == "encode":
        encode(args[0], args[1], int(args[2]), args[3])
    elif command == "variants":
        variants(*args)
    elif command == "tokens":
        sys.exit(same_tokens(*args))
    elif command == "compare":
        sys.exit(compare(*args))
    else:
        sys.exit(__doc__)
