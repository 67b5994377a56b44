#pragma once
// Clustering stage (SPEC §3) and the nearest-neighbour search the few-shot
// stage builds on (SPEC §4): exact cosine similarity over L2-normalised rows,
// computed tile by tile (never the whole N x N matrix) with libtorch on the
// CPU (BLAS) or on a CUDA device.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "distill/matrix.h"
#include "distill/progress.h"

namespace distill {

// A row of the embedding matrix (a question of the pooled corpus).
using RowId = std::uint32_t;
using Community = std::vector<RowId>;

// Where and how similarity tiles are computed; shared by every function here.
struct SimilarityCompute {
    std::string device = "auto";  // auto (CUDA when torch sees one), cpu, cuda
    // Rows and columns per similarity tile; 0 picks a per-device default
    // (CPU 2048: a 16 MiB tile; CUDA 8192). Memory grows with its square.
    std::size_t tile = 0;
    // How each tile is scanned. "auto": on CUDA tensor ops (threshold tiles
    // in fp16 as a filter, the candidates rescored exactly in fp32); on a CPU
    // with bf16 matmul units (AVX512-BF16, AMX) "bf16", a fused loop over a
    // bf16 filter's scores whose candidates are rescored in fp32; on other
    // CPUs "fused", the same loop over fp32 scores. "tensor" forces the CUDA
    // path's tensor ops on the CPU, so that path is tested where no GPU is;
    // "fused" and "bf16" are CPU only (bf16 runs anywhere, slowly where it is
    // emulated). Every scan decides on fp32 scores.
    std::string scan = "auto";
};

// Opt-in approximate neighbour search for community detection: a faiss
// IndexIVFFlat (inner product over the unit rows) finds each row's
// neighbours at >= the threshold among the rows of the nprobe inverted lists
// nearest to it, instead of among all rows. A neighbour in a list that is
// not probed is missed, so counts and communities can only shrink; the
// greedy step is the exact path's. Probing every list (nprobe >= nlist) is
// an exhaustive search and gives the exact result. Runs on the CPU (Debian's
// faiss has no GPU); the recall sample uses SimilarityCompute.
struct ApproximateSearch {
    bool enabled = false;
    std::size_t nlist = 0;    // inverted lists (coarse centroids); 0: about 4 * sqrt(rows), at most rows
    std::size_t nprobe = 32;  // lists scanned per row, capped at nlist
    std::uint64_t seed = 42;  // the coarse quantizer's training sample and its k-means, and the recall sample
    // Rows whose exact neighbours (one exact pass of these rows against all)
    // measure the recall; capped at the number of rows. 0: not measured.
    std::size_t recall_rows = 1000;
};

// How close an approximate run came to the exact one, measured on a seeded
// sample of rows. A row's own entry is left out of the neighbour counts: it
// is always found, and counting it would flatter the recall.
struct ApproximationReport {
    std::size_t nlist = 0, nprobe = 0;  // as used
    std::vector<RowId> sampled;         // the rows measured, ascending
    std::size_t exact_neighbours = 0;   // over the sample: other rows at >= the threshold
    std::size_t found_neighbours = 0;   // of those, the ones the approximate search found
    // Sampled rows that are a seed (>= min_size neighbours, itself included)
    // in one result and not in the other.
    std::size_t seed_status_differs = 0;
    double recall() const;              // found / exact; 1 when the sample has no neighbours
    std::string summary() const;        // one line for people
};

// The report's numbers as JSON ({"nlist", "nprobe", "recall",
// "exact_neighbours", "found_neighbours", "seed_status_differs", "sampled"})
// for manifests and cluster maps. Reading back (the pipeline keeps the report
// with a cached cluster stage) also needs "sampled_rows", the rows measured;
// it throws distill::Error naming `where` for another shape.
nlohmann::ordered_json to_json(const ApproximationReport& report);
ApproximationReport approximation_report_from_json(const nlohmann::ordered_json& json, const std::string& where);

struct CommunityOptions {
    double threshold = 0.75;      // cosine, in [-1, 1]; compared in float32 like the reference
    std::size_t min_size = 10;    // >= 1; capped at the number of rows, as the reference does
    SimilarityCompute compute;
    ApproximateSearch approximate;  // off: the exact result
    // Member lists kept from the similarity pass, in bytes (8 per member).
    // Beyond it the pass only counts, and the seeds it could not keep are
    // recomputed batch by batch when their turn comes: slower, same result.
    std::size_t member_budget_bytes = std::size_t(1) << 30;
};

struct CommunityResult {
    // Largest first (equal sizes in seed-row order); members by descending
    // cosine to the seed (equal cosines by row id). Rows in none are outliers.
    std::vector<Community> communities;
    // The row whose neighbourhood became each community. Usually its first
    // member, but not always: an earlier, larger community may have taken it.
    std::vector<RowId> centres;
    std::size_t seeds = 0;            // rows with >= min_size neighbours at the threshold
    std::size_t recomputed_seeds = 0; // seeds whose members did not fit member_budget_bytes
    std::string device;               // "cpu" or "cuda" ("cpu" when approximate)
    std::optional<ApproximationReport> approximation;  // set when the search was approximate
};

// sentence-transformers' util.community_detection (v6.0.1) exactly: a row
// whose min_size-th most similar row (itself included) has cosine >= the
// threshold seeds a candidate of every row at >= the threshold; candidates
// are taken largest first, each dropping rows an earlier one took, and kept
// when at least min_size rows remain. Throws distill::Error on empty input,
// NaN or infinite values, a threshold outside [-1, 1] or min_size 0; throws
// Cancelled when progress asks. With options.approximate.enabled, the
// neighbours come from the approximate search (see ApproximateSearch) and
// the result carries its ApproximationReport; it also refuses nprobe 0.
CommunityResult detect_communities(const Matrix& embeddings, const CommunityOptions& options,
                                   ProgressSink* progress = nullptr);

// How the communities change with the threshold, from one similarity pass
// (`distill communities --sweep`): the pass keeps, per row, its neighbours
// at >= the lowest threshold; every threshold then runs the greedy step on
// those lists, each cut at its threshold. Results equal detect_communities
// at each threshold.
struct SweepOptions {
    std::vector<double> thresholds;  // any order, each in [-1, 1]; rows come in this order
    std::size_t min_size = 10;       // >= 1, capped at the number of rows
    SimilarityCompute compute;
    // Neighbour lists kept at the lowest threshold, in bytes (8 per entry).
    // When they do not fit, each threshold gets its own detect_communities
    // pass (same results, one pass per threshold) and the sweep says so.
    std::size_t member_budget_bytes = std::size_t(1) << 30;
};

struct SweepRow {
    double threshold = 0;
    std::size_t communities = 0;
    std::size_t covered = 0;  // rows in some community
    std::size_t seeds = 0;
};

struct SweepResult {
    std::vector<SweepRow> rows;
    std::size_t min_size = 0;         // as used (capped at the number of rows)
    bool one_pass = true;             // false: the lists did not fit; one pass per threshold was run
    std::size_t kept_neighbours = 0;  // entries kept by the single pass (0 when it did not fit)
    std::string device;
};

// Throws distill::Error for what detect_communities refuses and for an empty
// threshold list; throws Cancelled when progress asks.
SweepResult sweep_thresholds(const Matrix& embeddings, const SweepOptions& options,
                             ProgressSink* progress = nullptr);

// first, first + step, ... up to last (included when it is within 1e-9 of a
// step), each rounded to 12 decimals so 0.5:0.95:0.05 gives 0.65, not
// 0.6500000000000001. Throws distill::Error unless step > 0 and first <= last.
std::vector<double> threshold_steps(double first, double last, double step);

struct SearchHit {
    RowId corpus_id = 0;
    float score = 0;  // cosine
};

struct SearchOptions {
    std::size_t top_k = 10;
    // Empty, or one corpus row per query to leave out of its hits (the
    // query's own row when queries are taken from the corpus); -1: none.
    std::vector<std::int64_t> exclude;
    SimilarityCompute compute;
};

// A corpus made ready for many searches: checked and scaled to unit rows
// once, then read in place by each search (on the CPU; CUDA copies it per
// search). The GUI's Replace Shot… keeps one, so that ranking an origin's
// neighbours is one pass over the vectors rather than a check and a copy of
// them (2 GB at 700k x 768) per click.
class SearchIndex {
public:
    // Takes the vectors (move them in: they are scaled where they are).
    // Throws distill::Error on empty input or NaN or infinite values.
    explicit SearchIndex(Matrix corpus);

    std::size_t rows() const { return unit_.rows; }
    std::size_t cols() const { return unit_.cols; }
    // Corpus row `row`, scaled to unit length: the query for its neighbours.
    Matrix query_for(std::size_t row) const;

    // For every query row, its top_k corpus rows by cosine, best first (equal
    // scores by row id); fewer when the corpus is smaller. Like
    // util.semantic_search, except that a query's own row can be excluded.
    // Throws distill::Error on empty or non-finite queries, differing
    // dimensions, top_k 0 or a bad exclude list.
    std::vector<std::vector<SearchHit>> search(const Matrix& queries, const SearchOptions& options,
                                               ProgressSink* progress = nullptr) const;

private:
    Matrix unit_;
};

// One search of a corpus, as SearchIndex::search, without keeping it.
std::vector<std::vector<SearchHit>> semantic_search(const Matrix& corpus, const Matrix& queries,
                                                    const SearchOptions& options,
                                                    ProgressSink* progress = nullptr);

// SPEC §3 sampling, `n` questions from the communities. When n is below the
// number of communities every community gives one member; otherwise a
// community of `size` members gives max(1, floor(size * n / total_members)),
// at most its size. Counts per community, in order.
std::vector<std::size_t> sample_counts(const std::vector<Community>& communities, std::size_t n);

// Draws sample_counts() members of each community uniformly without
// replacement: one std::mt19937_64 seeded with `seed` serves the communities
// in order; each draw is a partial Fisher-Yates shuffle of the community's
// members whose index j in [i, size) comes from Lemire's unbiased
// multiply-shift of one 64-bit output (rejecting the few biased ones). No
// standard-library distribution is involved, so the same seed gives the same
// sample with every compiler and library. Members come in draw order.
std::vector<Community> sample_communities(const std::vector<Community>& communities, std::size_t n,
                                          std::uint64_t seed = 42);

// Benchmark (`distill bench communities`): synthetic clustered unit vectors,
// community detection on them, and a baseline for scale: a plain matmul of
// the same size, or with detect.approximate the exact detection.
struct CommunityBenchOptions {
    std::size_t rows = 100000;
    std::size_t dim = 768;
    CommunityOptions detect;       // threshold 0.75, min_size 10 by default
    std::uint64_t seed = 42;
    // Also run the baseline: the full N x N x dim matmul, tile by tile; with
    // detect.approximate, detect_communities exact on the same data.
    bool baseline = true;
};

struct CommunityBenchResult {
    std::size_t rows = 0, dim = 0;
    std::string device;
    int cpu_threads = 0;               // libtorch intra-op threads during the run
    double detect_seconds = 0;         // detect_communities, end to end
    double matmul_seconds = 0;         // the matmul baseline; 0 when not run
    std::size_t communities = 0, covered = 0, seeds = 0;
    std::optional<ApproximationReport> approximation;  // when the detection was approximate
    // The exact baseline of an approximate run; exact_seconds 0 when not run.
    double exact_seconds = 0;
    std::size_t exact_communities = 0, exact_covered = 0;
    std::string summary() const;       // one line for people
};

// Unit vectors around random centres with varied spread, community sizes
// from a heavy-tailed law, and 20% background rows, deterministic in `seed`.
Matrix synthetic_clustered_embeddings(std::size_t rows, std::size_t dim, std::uint64_t seed);

CommunityBenchResult bench_communities(const CommunityBenchOptions& options, ProgressSink* progress = nullptr);

// Benchmark (`distill bench search`): top-k search of corpus rows against
// the corpus they come from, each query's own row excluded as the few-shot
// stage does, on synthetic_clustered_embeddings.
struct SearchBenchOptions {
    std::size_t corpus_rows = 100000;
    std::size_t queries = 10000;  // the first rows of the corpus (its rows are in random order)
    std::size_t dim = 768;
    std::size_t top_k = 5;
    std::uint64_t seed = 42;
    SimilarityCompute compute;
};

struct SearchBenchResult {
    std::size_t corpus_rows = 0, queries = 0, dim = 0, top_k = 0;
    std::string device;
    int cpu_threads = 0;
    double seconds = 0;           // semantic_search, end to end
    double one_query_seconds = 0;  // one query against a kept SearchIndex (a GUI click)
    std::string summary() const;
};

SearchBenchResult bench_search(const SearchBenchOptions& options, ProgressSink* progress = nullptr);

}  // namespace distill
