// The threshold sweep: one similarity pass at the lowest threshold, then the
// greedy step once per threshold. A row can only seed at threshold t if it
// has min_size neighbours at t >= the lowest, so the pass keeps lists for
// exactly the rows that can seed anywhere. Each list is sorted once; at
// threshold t its members are a prefix of it (scores >= t), so a threshold
// costs a binary search per kept row plus the greedy step, and the scores
// are the same float32 values detect_communities would see.
#include <algorithm>
#include <cmath>

#include "cluster/community_selection.h"
#include "cluster/input_checks.h"
#include "distill/error.h"

namespace distill {
namespace {

// The entries of a ranks_before-sorted list with score >= t.
std::size_t prefix_at(const cluster::NeighbourList& sorted, float t) {
    return static_cast<std::size_t>(
        std::partition_point(sorted.begin(), sorted.end(), [t](const cluster::Neighbour& n) { return n.score >= t; }) -
        sorted.begin());
}

SweepRow row_of(double threshold, const CommunityResult& r) {
    SweepRow row{threshold, r.communities.size(), 0, r.seeds};
    for (const auto& c : r.communities) row.covered += c.size();
    return row;
}

}  // namespace

std::vector<double> threshold_steps(double first, double last, double step) {
    if (!(step > 0) || !std::isfinite(step) || !std::isfinite(first) || !std::isfinite(last) || first > last)
        throw Error("threshold range: need FIRST:LAST:STEP with FIRST <= LAST and STEP > 0, e.g. 0.5:0.95:0.05");
    const auto steps = static_cast<std::size_t>(std::floor((last - first) / step + 1e-9));
    if (steps > 10000) throw Error("threshold range: more than 10000 steps; use a larger step");
    std::vector<double> out;
    for (std::size_t k = 0; k <= steps; ++k) out.push_back(std::round((first + double(k) * step) * 1e12) / 1e12);
    return out;
}

SweepResult sweep_thresholds(const Matrix& embeddings, const SweepOptions& options, ProgressSink* progress) {
    cluster::check_embeddings(embeddings, "embeddings");
    if (options.thresholds.empty()) throw Error("the threshold sweep needs at least one threshold");
    for (const double t : options.thresholds) cluster::check_community_options(t, options.min_size);
    const std::size_t n = embeddings.rows, min_size = std::min(options.min_size, n);
    // Thresholds are float32, as in detect_communities.
    const float lowest = static_cast<float>(*std::min_element(options.thresholds.begin(), options.thresholds.end()));

    cluster::SimilarityEngine engine(embeddings, options.compute);
    SweepResult sweep;
    sweep.min_size = min_size;
    sweep.device = engine.device();
    auto pass = engine.threshold_pass(lowest, min_size, options.member_budget_bytes, progress);
    for (std::size_t i = 0; i < n; ++i)
        if (pass.counts[i] >= min_size && !pass.complete[i]) sweep.one_pass = false;

    if (!sweep.one_pass) {
        // Over budget: free what was kept and run each threshold in full.
        pass = {};
        for (const double t : options.thresholds)
            sweep.rows.push_back(row_of(
                t, cluster::detect_with(engine, static_cast<float>(t), min_size, options.member_budget_bytes, progress)));
        return sweep;
    }

    for (auto& list : pass.members) {
        std::sort(list.begin(), list.end(), cluster::ranks_before);
        sweep.kept_neighbours += list.size();
    }
    std::vector<std::uint32_t> counts(n);
    for (const double threshold : options.thresholds) {
        throw_if_cancelled(progress);
        const auto t = static_cast<float>(threshold);
        for (std::size_t i = 0; i < n; ++i) counts[i] = static_cast<std::uint32_t>(prefix_at(pass.members[i], t));
        const auto seeds = cluster::seeds_by_size(counts, min_size);
        CommunityResult result;
        result.seeds = seeds.size();
        const auto free_members = [&](std::size_t pos, const std::vector<std::uint8_t>& taken) {
            const auto& list = pass.members[seeds[pos]];
            cluster::NeighbourList free;
            for (std::size_t k = 0; k < counts[seeds[pos]]; ++k)
                if (!taken[list[k].id]) free.push_back(list[k]);
            return free;
        };
        cluster::select_communities(seeds, n, min_size, free_members, result, progress);
        sweep.rows.push_back(row_of(threshold, result));
    }
    return sweep;
}

}  // namespace distill
