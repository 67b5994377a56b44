#!/usr/bin/python3
"""An independent reference for the embedding stage's encoders.

Builds sentence-transformers model directories of shapes and settings the
fixture models (tests/data/models) do not have, with seeded random weights,
and computes their sentence embeddings with a forward pass of its own,
written from Hugging Face transformers' semantics (modeling_bert.py,
modeling_mpnet.py) and sentence-transformers' Pooling / Normalize modules,
in float64. Uses only torch and numpy (Debian's /usr/bin/python3): no
transformers, safetensors or sentence-transformers.

  reference_encoder.py variants
      the variant names, one a line
  reference_encoder.py build ROOT VARIANT [VARIANT ...]
      writes a complete model directory for each VARIANT into ROOT/VARIANT
  reference_encoder.py embed MODEL_DIR IDS_JSON OUT_NPY [MODEL_DIR IDS_JSON OUT_NPY ...]
      reads MODEL_DIR back (config.json, modules.json, the Pooling config,
      model.safetensors) and writes the sentence embeddings, float64
      [len(ids), hidden], of the token-id lists in IDS_JSON (a JSON array
      of arrays of ints, specials included, unpadded) to OUT_NPY

Several directories go in one call because importing torch is most of the
time a call takes.

The embed step reads only the directory, the way sentence-transformers
would load it, so it checks the build step's files as well.
"""
import json
import math
import os
import shutil
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "data", "models")

# Each variant: the encoder's config.json keys, and how the directory around
# it is laid out. Keys left out take transformers' defaults.
VARIANTS = {
    # gelu_new (tanh), a small layer_norm_eps, a single token type, mean
    # pooling without Normalize (so magnitudes count), max_seq_length 64 from
    # sentence_bert_config.json.
    "bert-h96-gelunew-mean": dict(
        arch="bert", hidden_size=96, num_attention_heads=6, num_hidden_layers=3, intermediate_size=200,
        hidden_act="gelu_new", layer_norm_eps=1e-7, type_vocab_size=1, max_position_embeddings=128,
        pooling="mean", normalize=False, max_seq_length=64, seed=11),
    # relu, one layer, max pooling in the older one-boolean-per-mode format,
    # Normalize; a pre-trained checkpoint's "bert." prefix with the unused
    # MLM head and the position_ids buffer older checkpoints carry; the
    # length from tokenizer_config.json's model_max_length.
    "bert-h48-relu-max": dict(
        arch="bert", hidden_size=48, num_attention_heads=3, num_hidden_layers=1, intermediate_size=64,
        hidden_act="relu", layer_norm_eps=1e-12, type_vocab_size=2, max_position_embeddings=512,
        pooling="max", pooling_format="booleans", normalize=True, model_max_length=100,
        prefix="bert.", extra_tensors=True, seed=12),
    # gelu_pytorch_tanh, CLS pooling, 4 heads of 8, older layout with the
    # Transformer module in 0_Transformer/.
    "bert-h32-tanh-cls-subdir": dict(
        arch="bert", hidden_size=32, num_attention_heads=4, num_hidden_layers=2, intermediate_size=48,
        hidden_act="gelu_pytorch_tanh", layer_norm_eps=1e-12, type_vocab_size=2, max_position_embeddings=512,
        pooling="cls", normalize=True, max_seq_length=128, transformer_path="0_Transformer", seed=13),
    # MPNet-base's position table (514), texts up to 300 tokens: positions
    # beyond the fixtures' 130 and relative distances beyond 128 (the bucket
    # clamp); CLS pooling without Normalize.
    "mpnet-h80-cls-long": dict(
        arch="mpnet", hidden_size=80, num_attention_heads=5, num_hidden_layers=3, intermediate_size=96,
        hidden_act="gelu", layer_norm_eps=1e-5, max_position_embeddings=514, relative_attention_num_buckets=32,
        pooling="cls", normalize=False, max_seq_length=300, extra_tensors=True, seed=21),
    # A small MPNet with mean pooling and Normalize.
    "mpnet-h32-mean-norm": dict(
        arch="mpnet", hidden_size=32, num_attention_heads=2, num_hidden_layers=2, intermediate_size=64,
        hidden_act="gelu", layer_norm_eps=1e-12, max_position_embeddings=514, relative_attention_num_buckets=32,
        pooling="mean", normalize=True, max_seq_length=200, seed=22),
    # A bias table larger than the 32 buckets MPNetEncoder computes (only its
    # first 32 rows are used), the "mpnet." prefix, tanh gelu, max pooling.
    "mpnet-h48-buckets64-max": dict(
        arch="mpnet", hidden_size=48, num_attention_heads=6, num_hidden_layers=2, intermediate_size=80,
        hidden_act="gelu_new", layer_norm_eps=1e-12, max_position_embeddings=258,
        relative_attention_num_buckets=64, pooling="max", normalize=True, max_seq_length=256,
        prefix="mpnet.", seed=23),
}

FIXTURE_OF = {"bert": "tiny-bert-cls", "mpnet": "tiny-mpnet-mean"}


# ---------------------------------------------------------------- safetensors

def write_safetensors(path, tensors):
    """tensors: name -> numpy array (float32 or int64), written in name order."""
    codes = {np.dtype("<f4"): "F32", np.dtype("<i8"): "I64", np.dtype("<f8"): "F64"}
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        a = a.astype(a.dtype.newbyteorder("<"), copy=False)
        blob = a.tobytes()
        header[name] = {"dtype": codes[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the safetensors writer pads the header to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def read_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    dtypes = {"F32": "<f4", "F64": "<f8", "F16": "<f2", "I64": "<i8"}
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        b, e = t["data_offsets"]
        out[name] = np.frombuffer(raw[8 + n + b:8 + n + e], dtype=dtypes[t["dtype"]]).reshape(t["shape"])
    return out


# ------------------------------------------------------------------- building

def random_weights(v, vocab_size):
    """Seeded weights large enough that every part of the model matters:
    peaked attention, pre-activations of order 1-3 (where gelu, tanh gelu and
    relu differ), LayerNorm scales and biases away from identity."""
    g = np.random.RandomState(v["seed"])
    h, ff = v["hidden_size"], v["intermediate_size"]

    def normal(shape, std):
        return (g.standard_normal(shape) * std).astype(np.float32)

    def linear(name, out_dim, in_dim, gain=1.0):
        w[name + ".weight"] = normal((out_dim, in_dim), gain / math.sqrt(in_dim))
        w[name + ".bias"] = normal((out_dim,), 0.1)

    def norm(name):
        w[name + ".weight"] = (1.0 + g.standard_normal(h) * 0.2).astype(np.float32)
        w[name + ".bias"] = normal((h,), 0.1)

    w = {}
    w["embeddings.word_embeddings.weight"] = normal((vocab_size, h), 1.0)
    w["embeddings.position_embeddings.weight"] = normal((v["max_position_embeddings"], h), 0.5)
    if v["arch"] == "bert":
        w["embeddings.token_type_embeddings.weight"] = normal((v["type_vocab_size"], h), 0.5)
    norm("embeddings.LayerNorm")
    if v["arch"] == "mpnet":
        w["encoder.relative_attention_bias.weight"] = normal(
            (v["relative_attention_num_buckets"], v["num_attention_heads"]), 1.0)
    for i in range(v["num_hidden_layers"]):
        l = "encoder.layer.%d." % i
        if v["arch"] == "bert":
            names = ["attention.self.query", "attention.self.key", "attention.self.value",
                     "attention.output.dense", "attention.output.LayerNorm"]
        else:
            names = ["attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o",
                     "attention.LayerNorm"]
        linear(l + names[0], h, h, 1.5)
        linear(l + names[1], h, h, 1.5)
        linear(l + names[2], h, h)
        linear(l + names[3], h, h)
        norm(l + names[4])
        linear(l + "intermediate.dense", ff, h, 2.0)
        linear(l + "output.dense", h, ff)
        norm(l + "output.LayerNorm")
    linear("pooler.dense", h, h)  # BertModel / MPNetModel have a pooler; sentence-transformers ignores it
    if v.get("extra_tensors"):
        # The position_ids buffer older checkpoints saved, and (BERT) an MLM head.
        w["embeddings.position_ids"] = np.arange(v["max_position_embeddings"], dtype=np.int64)[None, :]
        if v["arch"] == "bert":
            w["cls.predictions.bias"] = normal((vocab_size,), 0.1)
            linear("cls.predictions.transform.dense", h, h)
    prefix = v.get("prefix", "")
    return {(prefix + k if not k.startswith("cls.") else k): a for k, a in w.items()}


def write_json(path, value, indent=2):
    with open(path, "w") as f:
        json.dump(value, f, indent=indent)
        f.write("\n")


def build(out_dir, name):
    v = VARIANTS[name]
    fixture = os.path.join(FIXTURES, FIXTURE_OF[v["arch"]])
    os.makedirs(out_dir, exist_ok=True)
    sub = v.get("transformer_path", "")
    tdir = os.path.join(out_dir, sub)
    os.makedirs(tdir, exist_ok=True)
    for f in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt"]:
        if os.path.exists(os.path.join(fixture, f)):
            shutil.copy(os.path.join(fixture, f), os.path.join(tdir, f))
    tokenizer = json.load(open(os.path.join(fixture, "tokenizer.json")))
    vocab_size = max([len(tokenizer["model"]["vocab"])] + [t["id"] + 1 for t in tokenizer["added_tokens"]])
    fixture_config = json.load(open(os.path.join(fixture, "config.json")))
    assert vocab_size == fixture_config["vocab_size"], (vocab_size, fixture_config["vocab_size"])

    tok_config = json.load(open(os.path.join(tdir, "tokenizer_config.json")))
    if "model_max_length" in v:
        tok_config["model_max_length"] = v["model_max_length"]
    else:
        tok_config["model_max_length"] = int(1e30)  # transformers' "no limit": max_seq_length decides
    write_json(os.path.join(tdir, "tokenizer_config.json"), tok_config)

    config = {
        "architectures": ["BertModel" if v["arch"] == "bert" else "MPNetModel"],
        "attention_probs_dropout_prob": 0.1,
        "hidden_act": v["hidden_act"],
        "hidden_dropout_prob": 0.1,
        "hidden_size": v["hidden_size"],
        "initializer_range": 0.02,
        "intermediate_size": v["intermediate_size"],
        "layer_norm_eps": v["layer_norm_eps"],
        "max_position_embeddings": v["max_position_embeddings"],
        "model_type": v["arch"],
        "num_attention_heads": v["num_attention_heads"],
        "num_hidden_layers": v["num_hidden_layers"],
        "torch_dtype": "float32",
        "transformers_version": "4.41.2",
        "vocab_size": vocab_size,
    }
    if v["arch"] == "bert":
        config.update(pad_token_id=0, position_embedding_type="absolute", type_vocab_size=v["type_vocab_size"],
                      use_cache=True)
    else:
        config.update(bos_token_id=0, eos_token_id=2, pad_token_id=1,
                      relative_attention_num_buckets=v["relative_attention_num_buckets"])
    write_json(os.path.join(tdir, "config.json"), config)

    st_config = {"do_lower_case": False}
    if "max_seq_length" in v:
        st_config = {"max_seq_length": v["max_seq_length"], "do_lower_case": False}
    write_json(os.path.join(tdir, "sentence_bert_config.json"), st_config, indent=4)

    modules = [{"idx": 0, "name": "0", "path": sub, "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]
    if v["normalize"]:
        modules.append({"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"})
        os.makedirs(os.path.join(out_dir, "2_Normalize"), exist_ok=True)
        # sentence-transformers < 3 wrote no file here; newer versions a config.json.
        write_json(os.path.join(out_dir, "2_Normalize", "config.json"),
                   {"module_input_name": "sentence_embedding", "module_output_name": "sentence_embedding"}, indent=4)
    write_json(os.path.join(out_dir, "modules.json"), modules)

    os.makedirs(os.path.join(out_dir, "1_Pooling"), exist_ok=True)
    if v.get("pooling_format") == "booleans":
        pooling = {"word_embedding_dimension": v["hidden_size"]}
        for mode in ["cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens"]:
            pooling["pooling_mode_" + mode] = mode.split("_")[0] == v["pooling"] and mode != "mean_sqrt_len_tokens"
        pooling.update(pooling_mode_weightedmean_tokens=False, pooling_mode_lasttoken=False, include_prompt=True)
    else:
        pooling = {"embedding_dimension": v["hidden_size"], "pooling_mode": v["pooling"], "include_prompt": True}
    write_json(os.path.join(out_dir, "1_Pooling", "config.json"), pooling, indent=4)
    write_json(os.path.join(out_dir, "config_sentence_transformers.json"),
               {"__version__": {"sentence_transformers": "3.0.1", "transformers": "4.41.2", "pytorch": "2.3.1"},
                "prompts": {}, "default_prompt_name": None, "similarity_fn_name": "cosine"})
    write_safetensors(os.path.join(tdir, "model.safetensors"), random_weights(v, vocab_size))


# ------------------------------------------------------------------ reference

def activation(name):
    # transformers' ACT2FN
    if name == "gelu":
        return lambda x: 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return lambda x: 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))
    if name == "relu":
        return lambda x: torch.clamp(x, min=0.0)
    raise SystemExit("unsupported hidden_act " + name)


def layer_norm(x, w, b, eps):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * w + b


def mpnet_relative_position_bucket(relative_position, num_buckets=32, max_distance=128):
    # MPNetAttention / MPNetEncoder.relative_position_bucket, as transformers
    # writes it (float32 log included: the buckets at the boundaries follow it).
    ret = 0
    n = -relative_position
    num_buckets //= 2
    ret += (n < 0).to(torch.long) * num_buckets
    n = torch.abs(n)
    max_exact = num_buckets // 2
    is_small = n < max_exact
    val_if_large = max_exact + (
        torch.log(n.float() / max_exact) / math.log(max_distance / max_exact) * (num_buckets - max_exact)
    ).to(torch.long)
    val_if_large = torch.min(val_if_large, torch.full_like(val_if_large, num_buckets - 1))
    ret += torch.where(is_small, n, val_if_large)
    return ret


class Reference:
    def __init__(self, model_dir):
        modules = json.load(open(os.path.join(model_dir, "modules.json")))
        self.normalize = False
        for m in modules:
            kind = m["type"].rsplit(".", 1)[-1]
            path = os.path.join(model_dir, m.get("path", ""))
            if kind == "Transformer":
                tdir = path
            elif kind == "Pooling":
                p = json.load(open(os.path.join(path, "config.json")))
                if "pooling_mode" in p:
                    self.pooling = p["pooling_mode"]
                else:
                    on = [k[len("pooling_mode_"):] for k, val in p.items() if k.startswith("pooling_mode_") and val]
                    assert len(on) == 1, on
                    self.pooling = {"cls_token": "cls", "mean_tokens": "mean", "max_tokens": "max"}[on[0]]
            elif kind == "Normalize":
                self.normalize = True
        c = json.load(open(os.path.join(tdir, "config.json")))
        self.c = c
        self.arch = c["model_type"]
        self.eps = c.get("layer_norm_eps", 1e-12)
        self.act = activation(c.get("hidden_act", "gelu"))
        self.heads = c["num_attention_heads"]
        raw = read_safetensors(os.path.join(tdir, "model.safetensors"))
        # from_pretrained into a BertModel / MPNetModel drops the base model prefix.
        prefix = self.arch + "."
        self.w = {}
        for k, a in raw.items():
            if k.startswith(prefix):
                k = k[len(prefix):]
            self.w[k] = torch.from_numpy(a.astype(np.float64) if a.dtype.kind == "f" else a.copy())

    def linear(self, x, name):
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def norm(self, x, name):
        return layer_norm(x, self.w[name + ".weight"], self.w[name + ".bias"], self.eps)

    def attention(self, x, extended_mask, position_bias, q, k, v):
        b, t, h = x.shape
        d = h // self.heads

        def split(y):
            return y.view(b, t, self.heads, d).permute(0, 2, 1, 3)

        ql, kl, vl = split(self.linear(x, q)), split(self.linear(x, k)), split(self.linear(x, v))
        scores = torch.matmul(ql, kl.transpose(-1, -2)) / math.sqrt(d)
        if position_bias is not None:
            scores = scores + position_bias
        scores = scores + extended_mask
        probs = torch.softmax(scores, dim=-1)
        return torch.matmul(probs, vl).permute(0, 2, 1, 3).reshape(b, t, h)

    def forward(self, ids, mask):
        """last_hidden_state of BertModel / MPNetModel for a padded batch."""
        b, t = ids.shape
        # get_extended_attention_mask: (1 - mask) * finfo(dtype).min
        extended = (1.0 - mask[:, None, None, :].to(torch.float64)) * torch.finfo(torch.float64).min
        w = self.w
        if self.arch == "bert":
            positions = torch.arange(t)[None, :].expand(b, t)
            token_types = torch.zeros_like(ids)
            x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.token_type_embeddings.weight"][token_types]
                 + w["embeddings.position_embeddings.weight"][positions])
            x = self.norm(x, "embeddings.LayerNorm")
            for i in range(self.c["num_hidden_layers"]):
                l = "encoder.layer.%d." % i
                a = self.attention(x, extended, None, l + "attention.self.query", l + "attention.self.key",
                                   l + "attention.self.value")
                x = self.norm(self.linear(a, l + "attention.output.dense") + x, l + "attention.output.LayerNorm")
                inner = self.act(self.linear(x, l + "intermediate.dense"))
                x = self.norm(self.linear(inner, l + "output.dense") + x, l + "output.LayerNorm")
            return x
        # MPNetEmbeddings: create_position_ids_from_input_ids with padding_idx 1
        padding_idx = 1
        not_pad = ids.ne(padding_idx).int()
        positions = (torch.cumsum(not_pad, dim=1).type_as(not_pad) * not_pad).long() + padding_idx
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions]
        x = self.norm(x, "embeddings.LayerNorm")
        # MPNetEncoder.compute_position_bias(x): arange positions, default 32 buckets
        context = torch.arange(t, dtype=torch.long)[:, None]
        memory = torch.arange(t, dtype=torch.long)[None, :]
        bucket = mpnet_relative_position_bucket(memory - context)
        bias = w["encoder.relative_attention_bias.weight"][bucket]  # [t, t, heads]
        bias = bias.permute(2, 0, 1).unsqueeze(0).expand(b, -1, t, t)
        for i in range(self.c["num_hidden_layers"]):
            l = "encoder.layer.%d." % i
            a = self.attention(x, extended, bias, l + "attention.attn.q", l + "attention.attn.k", l + "attention.attn.v")
            x = self.norm(self.linear(a, l + "attention.attn.o") + x, l + "attention.LayerNorm")
            inner = self.act(self.linear(x, l + "intermediate.dense"))
            x = self.norm(self.linear(inner, l + "output.dense") + x, l + "output.LayerNorm")
        return x

    def pool(self, tokens, mask):
        # sentence-transformers' Pooling, then Normalize
        m = mask.unsqueeze(-1).to(torch.float64)
        if self.pooling == "cls":
            out = tokens[:, 0]
        elif self.pooling == "mean":
            out = (tokens * m).sum(1) / torch.clamp(m.sum(1), min=1e-9)
        elif self.pooling == "max":
            t = tokens.clone()
            t[m.expand_as(t) == 0] = -1e9
            out = torch.max(t, 1)[0]
        else:
            raise SystemExit("unsupported pooling " + self.pooling)
        if self.normalize:
            out = torch.nn.functional.normalize(out, p=2, dim=1)
        return out

    def embed(self, rows, batch_size=16):
        pad = 0 if self.arch == "bert" else 1  # [PAD] / <pad> of the fixtures' tokenizers
        out = []
        for first in range(0, len(rows), batch_size):
            batch = rows[first:first + batch_size]
            width = max(len(r) for r in batch)
            ids = torch.full((len(batch), width), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for i, r in enumerate(batch):
                ids[i, :len(r)] = torch.tensor(r, dtype=torch.long)
                mask[i, :len(r)] = 1
            out.append(self.pool(self.forward(ids, mask), mask))
        return torch.cat(out).numpy()


def embed(model_dir, ids_json, out_npy):
    rows = json.load(open(ids_json))
    ref = Reference(model_dir)
    x = ref.embed(rows) if rows else np.zeros((0, ref.c["hidden_size"]))
    # A padded batch and each row alone agree (masking is exact): a check of
    # the reference itself on its longest and shortest rows.
    if rows:
        lengths = [len(r) for r in rows]
        for i in {int(np.argmax(lengths)), int(np.argmin(lengths))}:
            alone = ref.embed([rows[i]])[0]
            assert np.allclose(alone, x[i], rtol=1e-9, atol=1e-9), "padding changed row %d" % i
    np.save(out_npy, x.astype(np.float64))


def main(argv):
    torch.set_grad_enabled(False)
    if argv[1:] == ["variants"]:
        print("\n".join(VARIANTS))
    elif argv[1:2] == ["build"] and len(argv) >= 4:
        for name in argv[3:]:
            if name not in VARIANTS:
                sys.exit("unknown variant %s; known: %s" % (name, ", ".join(VARIANTS)))
            build(os.path.join(argv[2], name), name)
    elif argv[1:2] == ["embed"] and len(argv) >= 5 and (len(argv) - 2) % 3 == 0:
        for i in range(2, len(argv), 3):
            embed(*argv[i:i + 3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
