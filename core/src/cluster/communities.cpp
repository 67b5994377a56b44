// Community detection with the semantics of sentence-transformers'
// util.community_detection (v6.0.1). The reference finds, per batch of rows,
// the rows whose min_size-th best score reaches the threshold (a top-k over
// full rows) and sorts each seed's row; here one pass over the upper
// triangle of the similarity matrix counts, per row, the scores at >= the
// threshold (the same test: the min_size-th best is >= t exactly when at
// least min_size scores are) and keeps the seeds' member lists, so no row is
// ever sorted in full and each pair of rows costs one dot product.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cluster/community_selection.h"
#include "cluster/input_checks.h"
#include "distill/error.h"

namespace distill::cluster {
namespace {

std::string shortest(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", v);
    return text;
}

}  // namespace

void check_community_options(double threshold, std::size_t min_size) {
    if (!std::isfinite(threshold) || threshold < -1.0 || threshold > 1.0)
        throw Error("threshold " + shortest(threshold) +
                    " is not a cosine; use a value in [-1, 1] (the reference's default is 0.75)");
    if (min_size < 1)
        throw Error("minimum community size 0 is not allowed; use 1 or more (the reference's default is 10)");
}

std::vector<RowId> seeds_by_size(const std::vector<std::uint32_t>& counts, std::size_t min_size) {
    std::vector<RowId> seeds;
    for (std::size_t i = 0; i < counts.size(); ++i)
        if (counts[i] >= min_size) seeds.push_back(static_cast<RowId>(i));
    // Python's sort, which the reference uses, is stable.
    std::stable_sort(seeds.begin(), seeds.end(), [&](RowId a, RowId b) { return counts[a] > counts[b]; });
    return seeds;
}

void select_communities(const std::vector<RowId>& seeds, std::size_t rows, std::size_t min_size,
                        const FreeMembers& free_members, CommunityResult& result, ProgressSink* progress) {
    std::vector<Community> found;
    std::vector<RowId> centres;
    std::vector<std::uint8_t> taken(rows, 0);
    std::size_t untaken = rows;
    for (std::size_t pos = 0; pos < seeds.size(); ++pos) {
        throw_if_cancelled(progress);
        // Fewer free rows than min_size: no later candidate can be kept.
        if (untaken < min_size) break;
        const NeighbourList members = free_members(pos, taken);
        if (members.size() < min_size) continue;
        Community community;
        community.reserve(members.size());
        for (const auto& member : members) {
            taken[member.id] = 1;
            community.push_back(member.id);
        }
        untaken -= community.size();
        found.push_back(std::move(community));
        centres.push_back(seeds[pos]);
    }
    // Sizes only shrink in the greedy step: sort again, stably, as the reference does.
    std::vector<std::size_t> order(found.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return found[a].size() > found[b].size(); });
    result.communities.clear();
    result.centres.clear();
    for (const auto i : order) {
        result.communities.push_back(std::move(found[i]));
        result.centres.push_back(centres[i]);
    }
}

CommunityResult communities_from_pass(ThresholdPass& pass, std::size_t min_size, std::size_t member_budget_bytes,
                                      const MembersOf& members_of, ProgressSink* progress) {
    const auto seeds = seeds_by_size(pass.counts, min_size);
    CommunityResult result;
    result.seeds = seeds.size();
    const auto free_members = [&](std::size_t pos, const std::vector<std::uint8_t>& taken) {
        if (!pass.complete[seeds[pos]]) {
            // The pass ran out of member budget before this seed: recompute
            // it with the next incomplete seeds, as many as the budget holds.
            std::vector<RowId> batch;
            std::size_t bytes = 0;
            for (std::size_t k = pos; k < seeds.size() && batch.size() < 4096; ++k) {
                if (pass.complete[seeds[k]]) continue;
                const std::size_t need = pass.counts[seeds[k]] * sizeof(Neighbour);
                if (!batch.empty() && bytes + need > member_budget_bytes) break;
                batch.push_back(seeds[k]);
                bytes += need;
            }
            auto lists = members_of(batch);
            for (std::size_t k = 0; k < batch.size(); ++k) {
                pass.members[batch[k]] = std::move(lists[k]);
                pass.complete[batch[k]] = 1;
            }
            result.recomputed_seeds += batch.size();
        }
        // Each list is read once: free it now, and sort only its free part.
        NeighbourList candidate = std::move(pass.members[seeds[pos]]);
        NeighbourList free;
        for (const auto& member : candidate)
            if (!taken[member.id]) free.push_back(member);
        std::sort(free.begin(), free.end(), ranks_before);
        return free;
    };
    select_communities(seeds, pass.counts.size(), min_size, free_members, result, progress);
    return result;
}

CommunityResult detect_with(SimilarityEngine& engine, float threshold, std::size_t min_size,
                            std::size_t member_budget_bytes, ProgressSink* progress) {
    auto pass = engine.threshold_pass(threshold, min_size, member_budget_bytes, progress);
    auto result = communities_from_pass(
        pass, min_size, member_budget_bytes,
        [&](std::span<const RowId> rows) { return engine.members_of(rows, threshold, progress); }, progress);
    result.device = engine.device();
    return result;
}

}  // namespace distill::cluster

namespace distill {

CommunityResult detect_communities(const Matrix& embeddings, const CommunityOptions& options,
                                   ProgressSink* progress) {
    cluster::check_embeddings(embeddings, "embeddings");
    cluster::check_community_options(options.threshold, options.min_size);
    if (options.approximate.enabled) return cluster::detect_approximately(embeddings, options, progress);
    cluster::SimilarityEngine engine(embeddings, options.compute);
    // The reference compares float32 scores with torch.tensor(threshold), a
    // float32: 0.6 means 0.60000002384..., not the double 0.6. It caps
    // min_size at the number of rows.
    return cluster::detect_with(engine, static_cast<float>(options.threshold),
                                std::min(options.min_size, embeddings.rows), options.member_budget_bytes, progress);
}

}  // namespace distill
