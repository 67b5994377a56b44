// Approximate community detection (CommunityOptions::approximate): faiss's
// IndexIVFFlat over the unit rows lists, per row, its neighbours at >= the
// threshold among the rows of its nprobe nearest inverted lists; the greedy
// step is the exact path's (communities_from_pass). The exact pass costs
// N x N dot products, this one about N x N x nprobe / nlist plus the coarse
// assignment (N x nlist).
//
// The search is list-major: the rows of a batch are grouped by the lists
// they probe, and each list's rows are scored against the batch rows that
// probe it in one BLAS matmul (faiss's range_search_inner_product, which
// keeps the scores above a radius), the lists on all threads at once: 100k x
// 768, nprobe 32 takes 12 s on the 2-core development VM (exact: 66 s with
// the fp32 scan). IndexIVF::range_search took 287 s
// there: it scans the probed lists for each row on its own, with faiss's
// generic dot products (user time equal to wall time: one core busy) and
// the lists streamed from memory again for every row. A k-nearest search
// would be no better: a community needs every row at >= the threshold,
// however many, so k would have to grow (and the lists be scanned again)
// wherever the k-th hit is still above it. Rows are batched in the order of
// their own list, so a batch's rows probe mostly the same lists and each
// list's block is large.
// faiss 1.7.3's headers use uint8_t without including <cstdint>; GCC 13's
// standard headers no longer bring it in on their way (the GPU build).
#include <cstdint>

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <faiss/impl/FaissException.h>
#include <faiss/utils/distances.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <utility>

#include "cluster/blas_threads.h"
#include "cluster/community_selection.h"
#include "cluster/cpu_threads.h"
#include "cluster/faiss_interrupt.h"
#include "cluster/unit_rows.h"
#include "distill/error.h"
#include "io/parallel_for.h"

namespace distill::cluster {
namespace {

// faiss's row index, int64_t in every version: faiss::Index::idx_t up to
// 1.7.3 (Debian 12), faiss::idx_t from 1.7.4 on (Debian 13 has 1.11).
using Idx = std::int64_t;

// Rows searched together: their per-list blocks must be large enough for
// BLAS to run at speed; their neighbour lists are held until the batch ends.
constexpr std::size_t kSearchBatch = 16384;
// The coarse quantizer's k-means: this many sampled rows per list, this many
// iterations. Its cost is sample x nlist dot products per iteration; with
// faiss's defaults (up to 256 rows per list, 25 iterations) it took longer
// than the search itself (30k x 768: 80% of the time). Measured at 100k x
// 768, nprobe 32: 16 rows per list gave recall 0.9998, 8 gave 0.9995 for
// 2 s less (of 17).
constexpr std::size_t kTrainingRowsPerList = 16;
constexpr int kTrainingIterations = 10;

std::size_t default_nlist(std::size_t rows) {
    return static_cast<std::size_t>(std::lround(4.0 * std::sqrt(static_cast<double>(rows))));
}

// `count` distinct rows of [0, rows) drawn with the project's seeded draw
// (sample_communities), ascending.
std::vector<RowId> sample_rows(std::size_t rows, std::size_t count, std::uint64_t seed) {
    Community all(rows);
    std::iota(all.begin(), all.end(), RowId(0));
    auto drawn = sample_communities({all}, std::min(count, rows), seed).front();
    std::sort(drawn.begin(), drawn.end());
    return drawn;
}

// An IVF index over the unit rows, and the rows' neighbours from it.
class ApproximateIndex {
public:
    // Normalises rows chunk by chunk into the index: the index's lists hold
    // the only unit copy of the corpus.
    ApproximateIndex(const Matrix& embeddings, std::size_t nlist, std::size_t nprobe, std::uint64_t seed,
                     const ProgressSink* progress)
        : quantizer_(static_cast<Idx>(embeddings.cols)),
          index_(&quantizer_, embeddings.cols, nlist, faiss::METRIC_INNER_PRODUCT),
          nprobe_(nprobe) {
        const std::size_t n = embeddings.rows, d = embeddings.cols;
        const auto unit_copy = [&](RowId row, float* out) {
            std::copy_n(embeddings.row(row).data(), d, out);
            normalise({out, d});
        };
        index_.cp.seed = static_cast<int>((seed ^ (seed >> 32)) & 0x7fffffff);
        index_.cp.spherical = true;  // unit rows: unit centroids
        index_.cp.min_points_per_centroid = 1;  // faiss would print a warning below 39
        index_.cp.max_points_per_centroid = std::numeric_limits<int>::max();  // the sample is ours
        index_.cp.niter = kTrainingIterations;
        index_.cp.verbose = false;
        {
            const auto sample = sample_rows(n, kTrainingRowsPerList * nlist, seed);
            std::vector<float> training(sample.size() * d);
            for (std::size_t i = 0; i < sample.size(); ++i) unit_copy(sample[i], training.data() + i * d);
            index_.train(static_cast<Idx>(sample.size()), training.data());
        }
        // Every row's probes, once: the first is the list it is stored in,
        // so the assignment faiss's add() would compute again comes free.
        probes_.resize(n * nprobe);
        std::vector<float> chunk(std::min(kSearchBatch, n) * d), coarse(std::min(kSearchBatch, n) * nprobe);
        std::vector<Idx> ids, home;
        for (std::size_t r0 = 0; r0 < n; r0 += kSearchBatch) {
            throw_if_cancelled(progress);
            const std::size_t m = std::min(kSearchBatch, n - r0);
            ids.resize(m);
            home.resize(m);
            for (std::size_t i = 0; i < m; ++i) {
                unit_copy(static_cast<RowId>(r0 + i), chunk.data() + i * d);
                ids[i] = static_cast<Idx>(r0 + i);
            }
            quantizer_.search(static_cast<Idx>(m), chunk.data(), static_cast<Idx>(nprobe), coarse.data(),
                              probes_.data() + r0 * nprobe);
            for (std::size_t i = 0; i < m; ++i) home[i] = probes_[(r0 + i) * nprobe];
            index_.add_core(static_cast<Idx>(m), chunk.data(), ids.data(), home.data());
        }
        // An IVFFlat list's codes are its rows' floats, contiguous.
        unit_rows_.resize(n);
        for (std::size_t list = 0; list < index_.nlist; ++list) {
            const auto* codes = reinterpret_cast<const float*>(index_.invlists->get_codes(list));
            const Idx* stored = index_.invlists->get_ids(list);
            for (std::size_t k = 0; k < index_.invlists->list_size(list); ++k)
                unit_rows_[static_cast<std::size_t>(stored[k])] = codes + k * d;
        }
    }

    // Every row once, the rows of one inverted list together.
    std::vector<RowId> rows_by_list() const {
        std::vector<RowId> order;
        order.reserve(unit_rows_.size());
        for (std::size_t list = 0; list < index_.nlist; ++list) {
            const Idx* ids = index_.invlists->get_ids(list);
            for (std::size_t k = 0; k < index_.invlists->list_size(list); ++k)
                order.push_back(static_cast<RowId>(ids[k]));
        }
        return order;
    }

    // The rows found at >= threshold for each of `rows`, in no order (the
    // same order on every run).
    std::vector<NeighbourList> neighbours(std::span<const RowId> rows, float threshold,
                                          const ProgressSink* progress) const {
        const std::size_t d = index_.d, nq = rows.size(), nprobe = nprobe_;
        std::vector<std::vector<std::uint32_t>> probing(index_.nlist);  // per list: the rows that probe it
        for (std::size_t q = 0; q < nq; ++q)
            for (std::size_t p = 0; p < nprobe; ++p) {
                const Idx list = probes_[rows[q] * nprobe + p];
                if (list >= 0) probing[static_cast<std::size_t>(list)].push_back(static_cast<std::uint32_t>(q));
            }
        // faiss keeps inner products strictly above the radius; the
        // reference's test is >=, so search just below and filter.
        const float radius = std::nextafter(threshold, -std::numeric_limits<float>::infinity());
        // The lists are scored side by side, each product on one thread
        // (SingleThreadedBlas: they are too small for OpenBLAS's threads to
        // pay off; measured at 100k x 768, nprobe 32: the pass took 7.6 s
        // with them, 8.9 s on one thread; SingleThreadedOpenMp: faiss scores
        // a list probed by fewer than 20 rows in an OpenMP loop instead).
        // Item i runs on thread i % threads (parallel_for), so each thread
        // fills its own block. A list's hits are kept apart and filed in
        // list order, as one thread would.
        const unsigned threads = static_cast<unsigned>(UsableCpuThreads::count());
        std::vector<std::vector<float>> blocks(threads);
        std::vector<std::vector<std::pair<std::uint32_t, Neighbour>>> hits_of_list(index_.nlist);
        {
            const SingleThreadedBlas one_thread_each;
            parallel_for(index_.nlist, threads, [&](std::size_t list) {
                const auto& queries = probing[list];
                const std::size_t size = index_.invlists->list_size(list);
                if (queries.empty() || size == 0) return;
                throw_if_cancelled(progress);
                const SingleThreadedOpenMp one_thread;
                auto& block = blocks[list % threads];
                block.resize(queries.size() * d);
                for (std::size_t i = 0; i < queries.size(); ++i)
                    std::copy_n(unit_rows_[rows[queries[i]]], d, block.data() + i * d);
                faiss::RangeSearchResult found(static_cast<Idx>(queries.size()));
                faiss::range_search_inner_product(block.data(),
                                                  reinterpret_cast<const float*>(index_.invlists->get_codes(list)),
                                                  d, queries.size(), size, radius, &found);
                const Idx* ids = index_.invlists->get_ids(list);
                auto& hits = hits_of_list[list];
                for (std::size_t i = 0; i < queries.size(); ++i)
                    for (std::size_t h = found.lims[i]; h < found.lims[i + 1]; ++h)
                        if (found.distances[h] >= threshold)
                            hits.push_back({queries[i], {static_cast<RowId>(ids[found.labels[h]]), found.distances[h]}});
            });
        }
        std::vector<NeighbourList> lists(nq);
        for (auto& hits : hits_of_list)
            for (const auto& [query, neighbour] : std::exchange(hits, {})) lists[query].push_back(neighbour);
        return lists;
    }

private:
    faiss::IndexFlatIP quantizer_;
    faiss::IndexIVFFlat index_;
    std::size_t nprobe_;
    std::vector<Idx> probes_;  // per row: the nprobe lists nearest to it, nearest first
    std::vector<const float*> unit_rows_;  // per row: its unit vector in the index's lists
};

// Found / exact over the sampled rows, each row's own entry left out.
void measure_recall(std::span<const NeighbourList> exact, std::span<const NeighbourList> approximate,
                    std::size_t min_size, ApproximationReport& report) {
    for (std::size_t s = 0; s < report.sampled.size(); ++s) {
        const RowId self = report.sampled[s];
        const auto others = [self](const NeighbourList& list) {
            std::vector<RowId> ids;
            for (const auto& n : list)
                if (n.id != self) ids.push_back(n.id);
            std::sort(ids.begin(), ids.end());
            return ids;
        };
        const auto want = others(exact[s]), got = others(approximate[s]);
        std::vector<RowId> both;
        std::set_intersection(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(both));
        report.exact_neighbours += want.size();
        report.found_neighbours += both.size();
        if ((exact[s].size() >= min_size) != (approximate[s].size() >= min_size)) ++report.seed_status_differs;
    }
}

}  // namespace

CommunityResult detect_approximately(const Matrix& embeddings, const CommunityOptions& options,
                                     ProgressSink* progress) {
    const UsableCpuThreads threads;  // for faiss's loops
    const auto& approx = options.approximate;
    if (approx.nprobe == 0)
        throw Error("approximate search: nprobe 0 scans no list; use 1 or more (nprobe = nlist is exact)");
    const std::size_t n = embeddings.rows, min_size = std::min(options.min_size, n);
    const auto threshold = static_cast<float>(options.threshold);  // float32, as in detect_communities
    ApproximationReport report;
    report.nlist = std::clamp<std::size_t>(approx.nlist > 0 ? approx.nlist : default_nlist(n), 1, n);
    report.nprobe = std::min(approx.nprobe, report.nlist);

    // The sample's exact lists first, so the exact engine's copy of the
    // corpus is gone before the index makes its own.
    std::vector<NeighbourList> exact_of_sample;
    if (approx.recall_rows > 0) {
        report.sampled = sample_rows(n, approx.recall_rows, approx.seed + 1);
        if (progress) progress->update("communities: exact neighbours of the recall sample", 0, 1);
        exact_of_sample = SimilarityEngine(embeddings, options.compute).members_of(report.sampled, threshold, progress);
    }

    std::optional<ApproximateIndex> index;
    ThresholdPass pass;
    std::vector<NeighbourList> approximate_of_sample(report.sampled.size());
    {
        FaissCancelScope cancel(progress);
        try {
            if (progress) progress->update("communities: approximate index", 0, 1);
            index.emplace(embeddings, report.nlist, report.nprobe, approx.seed, progress);
            throw_if_cancelled(progress);

            pass.counts.assign(n, 0);
            pass.members.resize(n);
            pass.complete.assign(n, 0);
            // Lists are kept as in the exact pass: for rows that can seed,
            // until the member budget is spent; then the pass only counts.
            const std::size_t budget = options.member_budget_bytes / sizeof(Neighbour);
            bool collecting = budget > 0;
            std::size_t stored = 0;
            const auto order = index->rows_by_list();
            const std::uint64_t batches = (n + kSearchBatch - 1) / kSearchBatch;
            for (std::size_t b0 = 0; b0 < n; b0 += kSearchBatch) {
                throw_if_cancelled(progress);
                const std::span<const RowId> rows(order.data() + b0, std::min(kSearchBatch, n - b0));
                auto lists = index->neighbours(rows, threshold, progress);
                for (std::size_t q = 0; q < rows.size(); ++q) {
                    const RowId row = rows[q];
                    pass.counts[row] = static_cast<std::uint32_t>(lists[q].size());
                    const auto sampled = std::lower_bound(report.sampled.begin(), report.sampled.end(), row);
                    if (sampled != report.sampled.end() && *sampled == row)
                        approximate_of_sample[sampled - report.sampled.begin()] = lists[q];
                    if (lists[q].size() < min_size) continue;
                    if (collecting && stored + lists[q].size() > budget) collecting = false;
                    if (!collecting) continue;
                    stored += lists[q].size();
                    pass.members[row] = std::move(lists[q]);
                    pass.complete[row] = 1;
                }
                if (progress) progress->update("communities: approximate neighbours", b0 / kSearchBatch + 1, batches);
            }
        } catch (const faiss::FaissException& e) {
            cancel.rethrow("approximate community search", e.what());
        }
    }

    auto result = communities_from_pass(
        pass, min_size, options.member_budget_bytes,
        [&](std::span<const RowId> rows) {
            return index->neighbours(rows, threshold, progress);
        },
        progress);
    result.device = "cpu";
    measure_recall(exact_of_sample, approximate_of_sample, min_size, report);
    result.approximation = std::move(report);
    return result;
}

}  // namespace distill::cluster

namespace distill {

double ApproximationReport::recall() const {
    return exact_neighbours == 0 ? 1.0 : static_cast<double>(found_neighbours) / static_cast<double>(exact_neighbours);
}

std::string ApproximationReport::summary() const {
    char line[256];
    if (sampled.empty()) {
        std::snprintf(line, sizeof line, "approximate (faiss IVF, nlist %zu, nprobe %zu): recall not measured", nlist,
                      nprobe);
        return line;
    }
    std::snprintf(line, sizeof line,
                  "approximate (faiss IVF, nlist %zu, nprobe %zu): neighbour recall %.4f (%zu of %zu) on %zu sampled "
                  "rows; %zu of them differ in seed status",
                  nlist, nprobe, recall(), found_neighbours, exact_neighbours, sampled.size(), seed_status_differs);
    return line;
}

nlohmann::ordered_json to_json(const ApproximationReport& report) {
    return {{"nlist", report.nlist},
            {"nprobe", report.nprobe},
            {"recall", report.recall()},
            {"exact_neighbours", report.exact_neighbours},
            {"found_neighbours", report.found_neighbours},
            {"seed_status_differs", report.seed_status_differs},
            {"sampled", report.sampled.size()}};
}

ApproximationReport approximation_report_from_json(const nlohmann::ordered_json& json, const std::string& where) {
    ApproximationReport report;
    try {
        report.nlist = json.at("nlist").get<std::size_t>();
        report.nprobe = json.at("nprobe").get<std::size_t>();
        report.exact_neighbours = json.at("exact_neighbours").get<std::size_t>();
        report.found_neighbours = json.at("found_neighbours").get<std::size_t>();
        report.seed_status_differs = json.at("seed_status_differs").get<std::size_t>();
        report.sampled = json.at("sampled_rows").get<std::vector<RowId>>();
    } catch (const nlohmann::json::exception& e) {
        throw Error(where + ": not an approximation report (" + e.what() + ")");
    }
    return report;
}

}  // namespace distill
