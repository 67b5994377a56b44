#pragma once
// The greedy step of community detection, shared by detect_communities and
// the threshold sweep: both find seeds from per-row counts at a threshold and
// then take the candidates largest first, each dropping rows an earlier one
// took. Only where the candidates' members come from differs.
#include <cstdint>
#include <functional>
#include <vector>

#include "cluster/similarity_engine.h"
#include "distill/cluster.h"

namespace distill::cluster {

// Throws distill::Error for a threshold outside [-1, 1] (or NaN) or min_size 0.
void check_community_options(double threshold, std::size_t min_size);

// Rows with count >= min_size, as the reference lists its candidates before
// the greedy step: largest first, equal sizes in row order.
std::vector<RowId> seeds_by_size(const std::vector<std::uint32_t>& counts, std::size_t min_size);

// The members of candidate seeds[pos] that are not yet taken, in
// ranks_before order (descending cosine to the seed, ties by row id).
using FreeMembers = std::function<NeighbourList(std::size_t pos, const std::vector<std::uint8_t>& taken)>;

// Walks `seeds` in order, keeping each candidate that still has min_size
// free members, and returns the communities largest first (the reference's
// final stable sort) with their seeds in `centres`. `rows` is the corpus size.
void select_communities(const std::vector<RowId>& seeds, std::size_t rows, std::size_t min_size,
                        const FreeMembers& free_members, CommunityResult& result, ProgressSink* progress);

// detect_communities on an engine that already holds the corpus, for
// callers that run it more than once (the sweep's fallback).
CommunityResult detect_with(SimilarityEngine& engine, float threshold, std::size_t min_size,
                            std::size_t member_budget_bytes, ProgressSink* progress);

}  // namespace distill::cluster
