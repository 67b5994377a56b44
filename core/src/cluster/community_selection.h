#pragma once
// The greedy step of community detection, shared by detect_communities
// (exact and approximate) and the threshold sweep: all find seeds from
// per-row counts at a threshold and then take the candidates largest first,
// each dropping rows an earlier one took. Only where the candidates'
// members come from differs.
#include <cstdint>
#include <functional>
#include <span>
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

// The members at the threshold of each row in `rows`, in no order: how a
// pass's search recomputes the lists it could not keep.
using MembersOf = std::function<std::vector<NeighbourList>(std::span<const RowId> rows)>;

// The greedy step on a finished pass: seeds from its counts, members from
// its lists, and from members_of (batch by batch, within the budget) for
// seeds it left incomplete. Leaves result.device to the caller.
CommunityResult communities_from_pass(ThresholdPass& pass, std::size_t min_size, std::size_t member_budget_bytes,
                                      const MembersOf& members_of, ProgressSink* progress);

// detect_communities on an engine that already holds the corpus, for
// callers that run it more than once (the sweep's fallback).
CommunityResult detect_with(SimilarityEngine& engine, float threshold, std::size_t min_size,
                            std::size_t member_budget_bytes, ProgressSink* progress);

// detect_communities with options.approximate.enabled, on checked input
// (approximate_communities.cpp, the faiss side).
CommunityResult detect_approximately(const Matrix& embeddings, const CommunityOptions& options,
                                     ProgressSink* progress);

}  // namespace distill::cluster
