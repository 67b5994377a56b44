// `distill bench communities`: community detection on synthetic data shaped
// like a pooled question corpus, next to the matmul the exact pass cannot
// avoid, or (approximate) next to the exact pass itself.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>

#include "cluster/cpu_threads.h"
#include "cluster/similarity_engine.h"
#include "cluster/unit_rows.h"
#include "distill/cluster.h"
#include "distill/error.h"

namespace distill {
namespace {

using cluster::normalise;

// Standard normal variates by Box-Muller on 53-bit uniforms: a benchmark's
// data must not depend on the standard library's distributions either.
class Gaussian {
public:
    explicit Gaussian(std::uint64_t seed) : rng_(seed) {}
    double uniform() { return (static_cast<double>(rng_() >> 11) + 0.5) * 0x1.0p-53; }  // in (0, 1)
    double operator()() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double radius = std::sqrt(-2.0 * std::log(uniform())), angle = 2.0 * std::numbers::pi * uniform();
        spare_ = radius * std::sin(angle);
        has_spare_ = true;
        return radius * std::cos(angle);
    }
    std::uint64_t below(std::uint64_t n) { return static_cast<std::uint64_t>(uniform() * static_cast<double>(n)); }

private:
    std::mt19937_64 rng_;
    double spare_ = 0;
    bool has_spare_ = false;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Starts the device a benchmark runs on and names it. First, because a
// missing device should fail before seconds of synthetic data are made, and
// because creating a CUDA context takes a second or more that is no part of
// the work measured; so does the first matmul, which loads cuBLAS.
std::string start_device(std::size_t dim, const SimilarityCompute& compute) {
    Matrix unit(1, dim);
    unit.values[0] = 1;
    cluster::SimilarityEngine engine(unit, compute);
    engine.top_k(unit, 1, {}, nullptr);
    return engine.device();
}

std::size_t covered_rows(const std::vector<Community>& communities) {
    std::size_t covered = 0;
    for (const auto& c : communities) covered += c.size();
    return covered;
}

}  // namespace

Matrix synthetic_clustered_embeddings(std::size_t rows, std::size_t dim, std::uint64_t seed) {
    Matrix m(rows, dim);
    Gaussian g(seed);
    const std::size_t background = rows / 5;
    std::vector<float> centre(dim);
    std::size_t i = 0;
    while (i < rows - background) {
        // Sizes from a Pareto law (alpha 1.5, mean about 18, capped at
        // 1000); spread sigma in [0.25, 0.75] puts same-cluster cosines near
        // 1 / (1 + sigma^2), i.e. 0.64 to 0.94: some clusters are
        // communities at 0.75, some are not.
        const auto size = std::min<std::size_t>(
            {rows - background - i, 1000, 2 + static_cast<std::size_t>(8.0 * (std::pow(g.uniform(), -1.0 / 1.5) - 1.0))});
        const double sigma = 0.25 + 0.5 * g.uniform();
        for (auto& x : centre) x = static_cast<float>(g());
        normalise(centre);
        const std::size_t first = i;
        for (; i < first + size; ++i) {
            auto row = m.row(i);
            if (i > first && g.uniform() < 0.02) {  // an exact duplicate question
                const auto source = m.row(first + g.below(i - first));
                std::copy(source.begin(), source.end(), row.begin());
                continue;
            }
            const double scale = sigma / std::sqrt(static_cast<double>(dim));
            for (std::size_t k = 0; k < dim; ++k) row[k] = centre[k] + static_cast<float>(scale * g());
            normalise(row);
        }
    }
    for (; i < rows; ++i) {
        auto row = m.row(i);
        for (auto& x : row) x = static_cast<float>(g());
        normalise(row);
    }
    // Pooled corpora are not sorted by topic: shuffle the rows (Fisher-Yates).
    std::vector<float> tmp(dim);
    for (std::size_t k = rows; k > 1; --k) {
        const std::size_t j = g.below(k);
        auto a = m.row(k - 1), b = m.row(j);
        std::copy(a.begin(), a.end(), tmp.begin());
        std::copy(b.begin(), b.end(), a.begin());
        std::copy(tmp.begin(), tmp.end(), b.begin());
    }
    return m;
}

CommunityBenchResult bench_communities(const CommunityBenchOptions& options, ProgressSink* progress) {
    CommunityBenchResult r;
    r.rows = options.rows;
    r.dim = options.dim;
    r.device = start_device(options.dim, options.detect.compute);
    const Matrix x = synthetic_clustered_embeddings(options.rows, options.dim, options.seed);
    r.cpu_threads = cluster::UsableCpuThreads::count();

    const auto start = std::chrono::steady_clock::now();
    const auto found = detect_communities(x, options.detect, progress);
    r.detect_seconds = seconds_since(start);
    r.communities = found.communities.size();
    r.seeds = found.seeds;
    r.covered = covered_rows(found.communities);
    r.approximation = found.approximation;

    if (options.baseline && options.detect.approximate.enabled) {
        CommunityOptions exact = options.detect;
        exact.approximate.enabled = false;
        const auto exact_start = std::chrono::steady_clock::now();
        const auto baseline = detect_communities(x, exact, progress);
        r.exact_seconds = seconds_since(exact_start);
        r.exact_communities = baseline.communities.size();
        r.exact_covered = covered_rows(baseline.communities);
    } else if (options.baseline) {
        cluster::SimilarityEngine engine(x, options.detect.compute);
        r.matmul_seconds = engine.time_full_matmul(progress);
    }
    return r;
}

std::string CommunityBenchResult::summary() const {
    char line[512];
    std::snprintf(line, sizeof line,
                  "communities: %zu x %zu on %s (%d CPU threads): %.3f s, %zu communities covering %zu rows "
                  "(%zu seeds)",
                  rows, dim, device.c_str(), cpu_threads, detect_seconds, communities, covered, seeds);
    std::string s = line;
    if (approximation) s += "; " + approximation->summary();
    if (exact_seconds > 0) {
        // Small inputs are slower approximately (the index costs more than
        // it saves); say so the right way round.
        const double speedup = detect_seconds > 0 ? exact_seconds / detect_seconds : 0.0;
        std::snprintf(line, sizeof line, "; exact: %.3f s, %zu communities covering %zu rows (%.1f times %s)",
                      exact_seconds, exact_communities, exact_covered, speedup >= 1 || speedup == 0 ? speedup : 1 / speedup,
                      speedup >= 1 || speedup == 0 ? "faster" : "slower");
        s += line;
    }
    if (matmul_seconds > 0) {
        std::snprintf(line, sizeof line, "; full %zu x %zu x %zu matmul: %.3f s (ratio %.2f)", rows, rows, dim,
                      matmul_seconds, detect_seconds / matmul_seconds);
        s += line;
    }
    return s;
}

SearchBenchResult bench_search(const SearchBenchOptions& options, ProgressSink* progress) {
    if (options.queries > options.corpus_rows)
        throw Error("the search benchmark takes its queries from the corpus: use at most " +
                    std::to_string(options.corpus_rows) + " queries or a larger corpus");
    SearchBenchResult r;
    r.corpus_rows = options.corpus_rows;
    r.queries = options.queries;
    r.dim = options.dim;
    r.top_k = options.top_k;
    r.device = start_device(options.dim, options.compute);
    Matrix corpus = synthetic_clustered_embeddings(options.corpus_rows, options.dim, options.seed);
    Matrix queries(options.queries, options.dim);
    std::copy_n(corpus.values.begin(), queries.values.size(), queries.values.begin());
    SearchOptions search;
    search.top_k = options.top_k;
    search.compute = options.compute;
    for (std::size_t q = 0; q < options.queries; ++q) search.exclude.push_back(static_cast<std::int64_t>(q));
    r.cpu_threads = cluster::UsableCpuThreads::count();
    const auto start = std::chrono::steady_clock::now();
    semantic_search(corpus, queries, search, progress);
    r.seconds = seconds_since(start);
    // What Replace Shot… waits for: the vectors are kept as an index, and
    // each click searches for one origin's neighbours.
    const SearchIndex index{std::move(corpus)};
    search.exclude = {0};
    search.compute.device = "cpu";  // as the GUI searches for one query
    const auto click = std::chrono::steady_clock::now();
    index.search(index.query_for(0), search, progress);
    r.one_query_seconds = seconds_since(click);
    return r;
}

std::string SearchBenchResult::summary() const {
    char line[512];
    std::snprintf(line, sizeof line,
                  "search: top-%zu of %zu x %zu corpus rows for %zu queries on %s (%d CPU threads): %.3f s "
                  "(%.0f queries/s); one query against a kept index (cpu): %.3f s",
                  top_k, corpus_rows, dim, queries, device.c_str(), cpu_threads, seconds,
                  seconds > 0 ? double(queries) / seconds : 0.0, one_query_seconds);
    return line;
}

}  // namespace distill
