#!/usr/bin/python3
"""An independent reference for community detection and top-k search on
data the cd-a fixture does not cover.

Generates seeded clustered embeddings of its own (clusters of many sizes,
some far above the reference's first top-k of max(2 * min size, 50) so its
growing search is exercised, near-duplicates, exact duplicates, noise and
rows of any length: the engine must normalise them) and runs on them
sentence-transformers' util.community_detection and util.semantic_search
as written there (6.0.1, the version of the golden fixtures), re-typed here
with torch alone: Debian has no sentence-transformers. The loop-heavy
(non-CUDA) branch of community_detection is the one reproduced: the CUDA
branch gives the same communities.

  reference_communities.py OUT_DIR SEED
      writes OUT_DIR/embeddings.npy (float32), OUT_DIR/communities.json
      ({"T_M": {"threshold", "min_community_size", "communities"}} as in
      the cd-a fixture) and OUT_DIR/semantic_search.json ({"query_ids",
      "top_k", "hits": [[{"corpus_id", "score"}]]})
"""
import json
import os
import sys

import numpy as np
import torch

# (threshold, min_community_size) pairs: a min size of 1 (every row seeds),
# 2, a min size above the first top-k of 50, thresholds low enough for
# communities of hundreds and high enough to keep only duplicates.
SETTINGS = [(0.75, 10), (0.55, 5), (0.9, 2), (0.8, 1), (0.65, 60), (0.97, 3)]
TOP_K = 7


def clustered_embeddings(seed):
    g = torch.Generator().manual_seed(seed)
    dim = 24
    sizes = [400, 180, 90, 61, 60, 59, 33, 20, 12, 11, 10, 9, 5, 3, 2] + [1] * 300
    rows = []
    for size in sizes:
        centre = torch.randn(dim, generator=g)
        spread = 0.1 + 0.5 * torch.rand(1, generator=g).item()
        rows.append(centre + spread * torch.randn(size, dim, generator=g))
    x = torch.cat(rows)
    # Exact duplicates and near-duplicates of random rows.
    picks = torch.randint(0, x.shape[0], (80,), generator=g)
    near = x[picks[40:]] + 1e-4 * torch.randn(40, dim, generator=g)
    x = torch.cat([x, x[picks[:40]], near])
    # Any length: the engine normalises.
    x = x * (0.01 + 10 * torch.rand(x.shape[0], 1, generator=g))
    x = x[torch.randperm(x.shape[0], generator=g)].float().contiguous()
    return clear_of_thresholds(x, g)


def clear_of_thresholds(x, g, clearance=1e-5):
    """Moves rows a little until no pair's cosine (float64) is within
    `clearance` of a threshold: there float32 rounding decides, differently
    in our sums and torch's, and one member more or less can change the
    greedy step after it. So the communities are the same for any float32
    arithmetic, also where torch's generator gives other last bits."""
    thresholds = sorted({t for t, _ in SETTINGS})
    for _ in range(100):
        unit = normalize(x.double())
        cos = unit @ unit.T
        cos.fill_diagonal_(2.0)
        close = torch.zeros_like(cos, dtype=torch.bool)
        for t in thresholds:
            close |= (cos - t).abs() < clearance
        rows = close.any(1).nonzero().flatten()
        if len(rows) == 0:
            return x
        x[rows] += 1e-3 * x[rows].norm(dim=1, keepdim=True) * torch.randn(len(rows), x.shape[1], generator=g)
    raise SystemExit("could not move every pair clear of the thresholds")


def normalize(x):
    return torch.nn.functional.normalize(x, p=2, dim=1)


def community_detection(embeddings, threshold, min_community_size, batch_size=1024):
    embeddings = normalize(embeddings)
    threshold = torch.tensor(threshold)
    extracted = []
    min_community_size = min(min_community_size, len(embeddings))
    sort_max_size = min(max(2 * min_community_size, 50), len(embeddings))
    for start in range(0, len(embeddings), batch_size):
        cos_scores = embeddings[start:start + batch_size] @ embeddings.T
        top_k_values, _ = cos_scores.topk(k=min_community_size, largest=True)
        for i in range(len(top_k_values)):
            if top_k_values[i][-1] >= threshold:
                top_val_large, top_idx_large = cos_scores[i].topk(k=sort_max_size, largest=True)
                while top_val_large[-1] > threshold and sort_max_size < len(embeddings):
                    sort_max_size = min(2 * sort_max_size, len(embeddings))
                    top_val_large, top_idx_large = cos_scores[i].topk(k=sort_max_size, largest=True)
                extracted.append(top_idx_large[top_val_large >= threshold].tolist())
    extracted = sorted(extracted, key=lambda c: len(c), reverse=True)
    unique, taken = [], set()
    for community in extracted:
        free = [idx for idx in community if idx not in taken]
        if len(free) >= min_community_size:
            unique.append(free)
            taken.update(free)
    return sorted(unique, key=lambda c: len(c), reverse=True)


def semantic_search(queries, corpus, top_k):
    scores = normalize(queries) @ normalize(corpus).T
    values, indices = scores.topk(k=min(top_k, corpus.shape[0]), dim=1, largest=True, sorted=True)
    return [[{"corpus_id": int(i), "score": float(v)} for v, i in zip(vs, ix)]
            for vs, ix in zip(values.tolist(), indices.tolist())]


def main():
    out, seed = sys.argv[1], int(sys.argv[2])
    os.makedirs(out, exist_ok=True)
    x = clustered_embeddings(seed)
    np.save(os.path.join(out, "embeddings.npy"), x.numpy())
    communities = {
        f"{t}_{m}": {"threshold": t, "min_community_size": m, "communities": community_detection(x, t, m)}
        for t, m in SETTINGS
    }
    with open(os.path.join(out, "communities.json"), "w") as f:
        json.dump(communities, f)
    query_ids = list(range(0, x.shape[0], 7))
    hits = semantic_search(x[query_ids], x, TOP_K)
    with open(os.path.join(out, "semantic_search.json"), "w") as f:
        json.dump({"query_ids": query_ids, "top_k": TOP_K, "hits": hits}, f)


if __name__ == "__main__":
    main()
