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

#include "cluster/input_checks.h"
#include "cluster/similarity_engine.h"
#include "distill/error.h"

namespace distill {
namespace {

using cluster::Neighbour;
using cluster::NeighbourList;

std::string shortest(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", v);
    return text;
}

void check_options(const CommunityOptions& o) {
    if (!std::isfinite(o.threshold) || o.threshold < -1.0 || o.threshold > 1.0)
        throw Error("threshold " + shortest(o.threshold) +
                    " is not a cosine; use a value in [-1, 1] (the reference's default is 0.75)");
    if (o.min_size < 1)
        throw Error("minimum community size 0 is not allowed; use 1 or more (the reference's default is 10)");
}

// Seeds the way the reference lists its candidates before the greedy step:
// largest first, equal sizes in row order (Python's sort is stable).
std::vector<RowId> seeds_by_size(const std::vector<std::uint32_t>& counts, std::size_t min_size) {
    std::vector<RowId> seeds;
    for (std::size_t i = 0; i < counts.size(); ++i)
        if (counts[i] >= min_size) seeds.push_back(static_cast<RowId>(i));
    std::stable_sort(seeds.begin(), seeds.end(), [&](RowId a, RowId b) { return counts[a] > counts[b]; });
    return seeds;
}

}  // namespace

CommunityResult detect_communities(const Matrix& embeddings, const CommunityOptions& options,
                                   ProgressSink* progress) {
    cluster::check_embeddings(embeddings, "embeddings");
    check_options(options);
    // The reference compares float32 scores with torch.tensor(threshold), a
    // float32: 0.6 means 0.60000002384..., not the double 0.6.
    const auto threshold = static_cast<float>(options.threshold);
    const std::size_t n = embeddings.rows, min_size = std::min(options.min_size, n);

    cluster::SimilarityEngine engine(embeddings, options.compute);
    auto pass = engine.threshold_pass(threshold, min_size, options.member_budget_bytes, progress);
    const auto seeds = seeds_by_size(pass.counts, min_size);

    CommunityResult result;
    result.device = engine.device();
    result.seeds = seeds.size();
    std::vector<std::uint8_t> taken(n, 0);
    std::size_t untaken = n;
    for (std::size_t pos = 0; pos < seeds.size(); ++pos) {
        throw_if_cancelled(progress);
        // Fewer free rows than min_size: no later candidate can be kept.
        if (untaken < min_size) break;
        if (!pass.complete[seeds[pos]]) {
            // The pass ran out of member budget before this seed: recompute
            // it with the next incomplete seeds, as many as the budget holds.
            std::vector<RowId> batch;
            std::size_t bytes = 0;
            for (std::size_t k = pos; k < seeds.size() && batch.size() < 4096; ++k) {
                if (pass.complete[seeds[k]]) continue;
                const std::size_t need = pass.counts[seeds[k]] * sizeof(Neighbour);
                if (!batch.empty() && bytes + need > options.member_budget_bytes) break;
                batch.push_back(seeds[k]);
                bytes += need;
            }
            auto lists = engine.members_of(batch, threshold, progress);
            for (std::size_t k = 0; k < batch.size(); ++k) {
                pass.members[batch[k]] = std::move(lists[k]);
                pass.complete[batch[k]] = 1;
            }
            result.recomputed_seeds += batch.size();
        }
        NeighbourList& candidate = pass.members[seeds[pos]];
        NeighbourList free_members;
        for (const auto& member : candidate)
            if (!taken[member.id]) free_members.push_back(member);
        NeighbourList().swap(candidate);
        if (free_members.size() < min_size) continue;
        std::sort(free_members.begin(), free_members.end(), cluster::ranks_before);
        Community community;
        community.reserve(free_members.size());
        for (const auto& member : free_members) {
            taken[member.id] = 1;
            community.push_back(member.id);
        }
        untaken -= community.size();
        result.communities.push_back(std::move(community));
        result.centres.push_back(seeds[pos]);
    }
    // Sizes only shrink in the greedy step: sort again, stably, as the reference does.
    std::vector<std::size_t> order(result.communities.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return result.communities[a].size() > result.communities[b].size();
    });
    std::vector<Community> communities;
    std::vector<RowId> centres;
    for (const auto i : order) {
        communities.push_back(std::move(result.communities[i]));
        centres.push_back(result.centres[i]);
    }
    result.communities = std::move(communities);
    result.centres = std::move(centres);
    return result;
}

}  // namespace distill
