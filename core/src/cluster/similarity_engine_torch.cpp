#include "cluster/similarity_engine.h"
#include "cluster/cpu_threads.h"
#include "cluster/torch_support.h"

#include <ATen/ATen.h>
#include <ATen/Parallel.h>
#include <torch/cuda.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <type_traits>

#include "distill/error.h"

namespace distill::cluster {
namespace {

// Tile side per device: a 16 MiB float tile keeps the CPU scan in cache and
// is large enough for BLAS to run at full speed; a GPU wants bigger matmuls
// (256 MiB tiles).
constexpr std::size_t kCpuTile = 2048;
constexpr std::size_t kCudaTile = 8192;

// `x` as a tensor, sharing its memory (the engine never writes to it).
at::Tensor host_view(const Matrix& x) {
    return at::from_blob(const_cast<float*>(x.values.data()),
                         {static_cast<std::int64_t>(x.rows), static_cast<std::int64_t>(x.cols)},
                         at::TensorOptions().dtype(at::kFloat));
}

// A unit-row copy of `x` on `device`.
at::Tensor normalised_on(const Matrix& x, at::Device device) { return normalised_rows(host_view(x).to(device)); }

// Where one tile's scores at >= threshold go. Row i of the tile is list
// row_base + i and its neighbours' ids are col_base + j. With column_side
// (an off-diagonal tile of the symmetric pass) every score also counts for
// column j: list col_base + j, neighbour row_base + i.
struct TileSink {
    std::uint32_t* counts;
    NeighbourList* members;  // null: count only
    std::size_t row_base;
    std::size_t col_base;
    bool column_side;
};

// Scores at >= t among a fixed run of 16: a loop GCC vectorises at -O2
// (one packed compare per 4 floats without AVX), where a loop over a whole
// row compiles to one scalar compare per score. Most runs hold no hit.
constexpr std::size_t kRun = 16;
template <class Score>
inline unsigned hits_in_run(const Score* s, float t) {
    unsigned k = 0;
    for (std::size_t i = 0; i < kRun; ++i) k += static_cast<float>(s[i]) >= t;
    return k;
}

// The fp32 dot product of two rows, in one fixed order that does not depend
// on which is first (so a pair scores the same from either side): 16 running
// sums, which GCC vectorises without reassociating anything, in AVX-512 or
// AVX2 where the CPU has them (the bf16 scan's rescoring is half its time).
__attribute__((target_clones("avx512f", "avx2", "default")))
float row_dot(const float* a, const float* b, std::size_t d) {
    float sums[kRun] = {};
    std::size_t k = 0;
    for (; k + kRun <= d; k += kRun)
        for (std::size_t l = 0; l < kRun; ++l) sums[l] += a[k + l] * b[k + l];
    float total = 0;
    for (; k < d; ++k) total += a[k] * b[k];
    for (float partial : sums) total += partial;
    return total;
}

// A tile's scores as the fused scan reads them. Exact: the fp32 scores of
// the tile's matmul, which decide as they are. Filtered: a filter's scores
// (bf16, or the fp32 matmul's), where a pair below t - margin cannot reach t
// and the pairs left get their fp32 dot product (row_dot), which alone
// decides and is what lists keep.
//
// The bf16 margin bounds how far the bf16 score can sit below row_dot's on
// unit rows: rounding both inputs (unit roundoff u = 2^-8) moves a dot
// product by at most (2u + u^2) sum |x_i y_i| <= 0.0079 and rounding the
// result to bf16 by at most u |s| <= 0.0040 (denormals flushed to zero cost
// under d * 2^-126); the fp32 accumulations, the matmul's of exact products
// and row_dot's, each add at most d * 2^-24. That is 0.0119 + 2 d 2^-24 in
// all (0.0120 at d 768), under the margin at every d. It assumes the bf16
// gemm accumulates in fp32, as oneDNN's and ATen's transposed kernel do.
// Without the input and output rounding, the two fp32 accumulations' 2 d
// 2^-24 bound the fp32 filter (doubled for safety). Either bound holds
// either way round, so top_k uses them too: a column whose filter score is
// below a query's k-th best minus the margin cannot enter its best.
float bf16_margin(std::size_t d) { return 1.0f / 64 + 2.0f * static_cast<float>(d) * 0x1p-24f; }
float fp32_margin(std::size_t d) { return 4.0f * static_cast<float>(d) * 0x1p-24f; }
struct ExactTile {
    const float* scores;
    float floor(float t) const { return t; }
    float exact(std::size_t i, std::size_t j, std::size_t c) const { return scores[i * c + j]; }
};
template <class Score>
struct FilteredTile {
    const Score* scores;
    const float* rows;  // the tile's rows, fp32 unit rows of d
    const float* cols;  // its columns, likewise
    std::size_t d;
    float floor(float t) const {
        return t - (std::is_same_v<Score, float> ? fp32_margin(d) : bf16_margin(d));
    }
    float exact(std::size_t i, std::size_t j, std::size_t) const { return row_dot(rows + i * d, cols + j * d, d); }
};

// The CPU scan: one read of the scores per tile, rows split between
// threads. Column-side hits are gathered per thread and merged afterwards
// so no two threads touch one list. Returns the member entries added.
template <class Tile>
std::size_t scan_fused(const Tile& tile, std::size_t r, std::size_t c, float t, const TileSink& sink) {
    struct ColumnHit {
        std::uint32_t col, row;
        float score;
    };
    // Count-only passes still look at each candidate when scores only filter.
    constexpr bool rescored = !std::is_same_v<Tile, ExactTile>;
    const float floor = tile.floor(t);
    const auto parts = static_cast<std::size_t>(std::clamp<std::int64_t>(at::get_num_threads(), 1, r));
    std::vector<std::vector<std::uint32_t>> column_counts(sink.column_side ? parts : 0);
    std::vector<std::vector<ColumnHit>> column_hits(sink.column_side && sink.members ? parts : 0);
    std::vector<std::size_t> added(parts, 0);
    at::parallel_for(0, static_cast<std::int64_t>(parts), 1, [&](std::int64_t begin, std::int64_t end) {
        for (auto p = static_cast<std::size_t>(begin); p < static_cast<std::size_t>(end); ++p) {
            std::uint32_t* cc = nullptr;
            if (sink.column_side) {
                column_counts[p].assign(c, 0);
                cc = column_counts[p].data();
            }
            const bool itemise = cc || sink.members;
            for (std::size_t i = p * r / parts; i < (p + 1) * r / parts; ++i) {
                const auto* row = tile.scores + i * c;
                std::uint32_t n = 0;
                // Counts and files column j if its pair reaches t.
                const auto check = [&](std::size_t j) {
                    const float score = tile.exact(i, j, c);
                    if (score < t) return;
                    ++n;
                    if (cc) ++cc[j];
                    if (!sink.members) return;
                    sink.members[sink.row_base + i].push_back({static_cast<RowId>(sink.col_base + j), score});
                    if (sink.column_side)
                        column_hits[p].push_back({static_cast<std::uint32_t>(j), static_cast<std::uint32_t>(i), score});
                };
                std::size_t j = 0;
                for (; j + kRun <= c; j += kRun) {
                    const unsigned k = hits_in_run(row + j, floor);
                    if (!k) continue;
                    if (!itemise && !rescored) {
                        n += k;
                        continue;
                    }
                    for (std::size_t x = j; x < j + kRun; ++x)
                        if (static_cast<float>(row[x]) >= floor) check(x);
                }
                for (; j < c; ++j)
                    if (static_cast<float>(row[j]) >= floor) check(j);
                sink.counts[sink.row_base + i] += n;
                if (sink.members) added[p] += n * (sink.column_side ? 2 : 1);
            }
        }
    });
    for (const auto& cc : column_counts)
        for (std::size_t j = 0; j < c; ++j) sink.counts[sink.col_base + j] += cc[j];
    for (const auto& hits : column_hits)
        for (const auto& h : hits)
            sink.members[sink.col_base + h.col].push_back({static_cast<RowId>(sink.row_base + h.row), h.score});
    std::size_t total = 0;
    for (auto a : added) total += a;
    return total;
}

// The scan with tensor ops, for tiles that live on a GPU. An fp32 matmul
// would bound it there (700k x 768 takes about 6 s of fp32 GEMM on an H100,
// the target is 3 s), so the tile is an fp16 one (tensor cores) and only a
// filter: a pair whose fp16 score is below t - kLowPrecisionMargin cannot
// reach t, and the pairs left get their exact fp32 dot products, which alone
// decide and are what the lists keep (so the members' order is the exact
// path's).
//
// The margin bounds fp16's error on unit rows: rounding both inputs (unit
// roundoff u = 2^-11) moves a dot product by at most (2u + u^2) times
// sum |x_i y_i| <= 1, about 0.001; components in fp16's subnormal range add
// at most d * 2^-25, rounding the fp16 result at most u |s| <= 0.0005, and
// the fp32 accumulation (reduced-precision reductions off, see
// SimilarityEngine) about d * 2^-24: under 0.0017 in all. fp16, not bf16
// (u = 2^-8): unit rows need no range, and the tighter bound leaves fewer
// candidates to rescore.
constexpr float kLowPrecisionMargin = 1.0f / 256;
// Candidates rescored at once: two gathered [n, d] fp32 blocks (1.5 GiB at d 768).
constexpr std::int64_t kRescoreChunk = 1 << 18;

// The exact fp32 scores of `pairs` ([m, 2]: a row of `rows`, a row of
// `cols`, unit rows on one device): products summed in one order, so equal
// rows score the same, which the matmul's scores need not (which blocks of
// the kernel a column falls in changes the last bit).
at::Tensor exact_scores(const at::Tensor& rows, const at::Tensor& cols, const at::Tensor& pairs) {
    std::vector<at::Tensor> parts;
    for (std::int64_t begin = 0; begin < pairs.size(0); begin += kRescoreChunk) {
        const auto chunk = pairs.narrow(0, begin, std::min(kRescoreChunk, pairs.size(0) - begin));
        parts.push_back((rows.index_select(0, chunk.select(1, 0)) * cols.index_select(0, chunk.select(1, 1))).sum(1));
    }
    return parts.empty() ? at::empty({0}, rows.options()) : at::cat(parts);
}

// One tile's hits that reach t, on the host: pairs (tile row, tile column)
// and their exact fp32 scores, in the row-major order nonzero() gives (the
// chunks, the boolean index and masked_select keep it). merge_hits finds
// each thread's rows by binary search in that order, and its columns in
// by_column: the hits' indices ordered by column (a stable sort, so by row
// within a column), made only for tiles whose hits also count for columns.
struct TileHits {
    at::Tensor pairs;      // [h, 2] int64
    at::Tensor scores;     // [h] float
    at::Tensor by_column;  // [h] int64, or undefined
};

// `approx` holds the low-precision scores of `rows` (fp32 unit rows, the
// tile's rows) against `cols` (its columns). Waits for the device.
TileHits filtered_hits(const at::Tensor& approx, const at::Tensor& rows, const at::Tensor& cols, float t,
                       bool column_side) {
    const auto candidates = approx.ge(t - kLowPrecisionMargin).nonzero();  // [m, 2]
    if (candidates.size(0) == 0) return {};
    const auto exact = exact_scores(rows, cols, candidates);
    const auto keep = exact.ge(t);
    TileHits hits;
    const auto pairs = candidates.index({keep});
    if (column_side)
        hits.by_column = std::get<1>(at::sort(pairs.select(1, 1), c10::optional<bool>(true), /*dim=*/0,
                                              /*descending=*/false))
                             .to(at::kCPU)
                             .contiguous();
    hits.pairs = pairs.to(at::kCPU).contiguous();
    hits.scores = exact.masked_select(keep).to(at::kCPU).contiguous();
    return hits;
}

// Adds the hits of an r x c tile to `sink`; returns the member entries
// added. Each hit lands in lists all over memory (the corpus is in no
// order), so the merge is bound by cache misses; at 700k rows the bench's
// tens of millions of hits would take one host thread longer than we expect
// the GPU's matmuls to take, so it runs on every host thread. Thread p owns
// tile rows and tile columns p of `parts`, so no two threads touch one list
// or count (an off-diagonal tile's row and column lists are other rows).
std::size_t merge_hits(const TileHits& hits, std::size_t r, std::size_t c, const TileSink& sink) {
    if (!hits.scores.defined()) return 0;
    const auto* ij = hits.pairs.data_ptr<std::int64_t>();
    const auto* sc = hits.scores.data_ptr<float>();
    // filtered_hits made by_column for the same sink's column_side.
    const std::int64_t* by_column = sink.column_side ? hits.by_column.data_ptr<std::int64_t>() : nullptr;
    const auto found = static_cast<std::size_t>(hits.scores.numel());
    // The first of the hits, taken in `order` (null: as they are), whose
    // tile row (side 0) or column (side 1) is `index` or later.
    const auto first_hit_from = [&](const std::int64_t* order, int side, std::size_t index) {
        std::size_t lo = 0, hi = found;
        while (lo < hi) {
            const std::size_t mid = lo + (hi - lo) / 2;
            const auto h = order ? static_cast<std::size_t>(order[mid]) : mid;
            if (static_cast<std::size_t>(ij[2 * h + side]) < index) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    };
    const auto parts = static_cast<std::size_t>(std::clamp<std::int64_t>(at::get_num_threads(), 1, r));
    at::parallel_for(0, static_cast<std::int64_t>(parts), 1, [&](std::int64_t begin, std::int64_t end) {
        for (auto p = static_cast<std::size_t>(begin); p < static_cast<std::size_t>(end); ++p) {
            const std::size_t last = first_hit_from(nullptr, 0, (p + 1) * r / parts);
            for (std::size_t h = first_hit_from(nullptr, 0, p * r / parts); h < last; ++h) {
                const auto i = static_cast<std::size_t>(ij[2 * h]);
                ++sink.counts[sink.row_base + i];
                if (sink.members)
                    sink.members[sink.row_base + i].push_back(
                        {static_cast<RowId>(sink.col_base + static_cast<std::size_t>(ij[2 * h + 1])), sc[h]});
            }
            if (!by_column) continue;
            const std::size_t end_k = first_hit_from(by_column, 1, (p + 1) * c / parts);
            for (std::size_t k = first_hit_from(by_column, 1, p * c / parts); k < end_k; ++k) {
                const auto h = static_cast<std::size_t>(by_column[k]);
                const auto j = static_cast<std::size_t>(ij[2 * h + 1]);
                ++sink.counts[sink.col_base + j];
                if (sink.members)
                    sink.members[sink.col_base + j].push_back(
                        {static_cast<RowId>(sink.row_base + static_cast<std::size_t>(ij[2 * h])), sc[h]});
            }
        }
    });
    return sink.members ? found * (sink.column_side ? 2 : 1) : 0;
}

// A tile: rows [r0, r0 + r) of the scanned rows against corpus rows [c0, c0 + c).
struct TileSpan {
    std::size_t r0, r, c0, c;
    bool operator==(const TileSpan&) const = default;
};

// Whether this CPU multiplies bf16 matrices in hardware (AVX512-BF16, which
// every CPU with AMX also has) through libtorch's oneDNN. Elsewhere a bf16
// matmul is emulated and slower than the fp32 one. On the build machine's
// Sapphire Rapids a 2048-tile bf16 matmul ran 2.9x as fast as OpenBLAS's fp32.
bool native_bf16_matmul() { return at::hasMKLDNN() && __builtin_cpu_supports("avx512bf16"); }

// Fewer queries than this search with fp32 scores even where the bf16 scan
// is chosen (see top_k). Against a 100k x 768 corpus on the build machine
// the filter paid from about 16 queries (0.37 s against fp32's 0.39 s) and
// cost below (4 queries: 0.49 s against 0.36 s).
constexpr std::size_t kFilteredSearchMinQueries = 16;

// A query's best k so far, best first.
class TopK {
public:
    explicit TopK(std::size_t k) : k_(k) { best_.reserve(k + 1); }
    float floor() const { return best_.size() < k_ ? -std::numeric_limits<float>::infinity() : best_.back().score; }
    void offer(Neighbour n) {
        if (best_.size() == k_ && !ranks_before(n, best_.back())) return;
        auto at = best_.end();
        while (at != best_.begin() && ranks_before(n, *(at - 1))) --at;
        best_.insert(at, n);
        if (best_.size() > k_) best_.pop_back();
    }
    NeighbourList take() { return std::move(best_); }

private:
    std::size_t k_;
    NeighbourList best_;
};

// Offers an r x c tile's scores (a Tile as scan_fused reads it) to the
// best lists of its rows, `best[i]` for tile row i, leaving out tile column
// excluded(i) - c0. A column is looked at only if its score can beat the
// row's k-th best so far (for a filter: within its margin), so after the
// first few columns of a row almost all are skipped sixteen at a time.
template <class Tile, class Excluded>
void offer_tile(const Tile& tile, std::size_t r, std::size_t c, std::size_t c0, TopK* best, Excluded excluded) {
    at::parallel_for(0, static_cast<std::int64_t>(r), 16, [&](std::int64_t begin, std::int64_t end) {
        for (auto i = static_cast<std::size_t>(begin); i < static_cast<std::size_t>(end); ++i) {
            auto& top = best[i];
            const std::int64_t skip = excluded(i) - static_cast<std::int64_t>(c0);
            const auto* row = tile.scores + i * c;
            float floor = tile.floor(top.floor());
            const auto offer = [&](std::size_t j) {
                if (static_cast<float>(row[j]) < floor || static_cast<std::int64_t>(j) == skip) return;
                top.offer({static_cast<RowId>(c0 + j), tile.exact(i, j, c)});
                floor = tile.floor(top.floor());
            };
            std::size_t j = 0;
            for (; j + kRun <= c; j += kRun)
                if (hits_in_run(row + j, floor))
                    for (std::size_t x = j; x < j + kRun; ++x) offer(x);
            for (; j < c; ++j) offer(j);
        }
    });
}

void add_progress(ProgressSink* progress, const char* stage, std::uint64_t done, std::uint64_t total) {
    if (progress) progress->update(stage, done, total);
}

}  // namespace

at::Tensor normalised_rows(const at::Tensor& x) { return x / x.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-12); }

void normalise_rows_in_place(Matrix& m) {
    UsableCpuThreads threads;
    auto x = host_view(m);
    x.div_(x.norm(2, {1}, /*keepdim=*/true).clamp_min(1e-12));  // normalised_rows' arithmetic, in place
}

at::Device pick_device(const std::string& name) {
    if (name == "cpu") return at::kCPU;
    if (name == "cuda" || name == "auto") {
        if (torch::cuda::is_available()) return at::kCUDA;
        if (name == "auto") return at::kCPU;
        throw Error("device cuda: libtorch sees no CUDA device (a CPU-only libtorch, or no GPU/driver); "
                    "use --device cpu or auto");
    }
    throw Error("device '" + name + "' is not one of auto, cpu, cuda");
}

struct SimilarityEngine::Impl {
    // For the engine's life, not per call: members_of runs once per batch of
    // seeds, and set_num_threads resizes libtorch's pools rather than writing
    // a number. Engines live on their caller's stack, so this is the thread
    // they run on.
    UsableCpuThreads threads;
    at::Device device{at::kCPU};
    std::string device_name;
    // fused: the CPU's loop over fp32 scores; bf16: the same loop over a
    // bf16 filter's scores, for CPUs with bf16 matmul units; tensor: tensor
    // ops over an fp16 filter's scores, for CUDA.
    enum class Scan { fused, bf16, tensor } scan = Scan::fused;
    std::size_t tile = kCpuTile;
    at::Tensor x;           // [n, d] unit rows on `device`
    at::Tensor buffer;      // tile * tile scores, reused by every tile
    at::Tensor buffer_low;  // the bf16 scan's tile * tile filter scores, made with x_low
    // The filter copy of x: bf16 for the bf16 scan; for the tensor scan fp16
    // on CUDA and, on the CPU, where an fp16 matmul is slow, fp16-rounded
    // fp32, within the same error bound.
    at::Tensor x_low;

    std::size_t n() const { return static_cast<std::size_t>(x.size(0)); }

    // x_low, made on the first threshold scan (a search needs none: it
    // would cost 1 GB at 700k x 768 in bf16). Undefined for the fused scan.
    const at::Tensor& filter_copy() {
        if (x_low.defined() || scan == Scan::fused) return x_low;
        if (scan == Scan::bf16) {
            x_low = x.to(at::kBFloat16);
            buffer_low = at::empty({buffer.numel()}, at::TensorOptions().dtype(at::kBFloat16));
        } else {
            x_low = x.is_cuda() ? x.to(at::kHalf) : x.to(at::kHalf).to(at::kFloat);
        }
        return x_low;
    }

    // Scores of rows [r0, r0 + r) of `a` against corpus rows [c0, c0 + c),
    // into the shared buffer.
    at::Tensor tile_scores(const at::Tensor& a, std::size_t r0, std::size_t r, std::size_t c0, std::size_t c) {
        auto out = buffer.narrow(0, 0, static_cast<std::int64_t>(r * c)).view({static_cast<std::int64_t>(r), static_cast<std::int64_t>(c)});
        at::mm_out(out, a.narrow(0, static_cast<std::int64_t>(r0), static_cast<std::int64_t>(r)),
                   x.narrow(0, static_cast<std::int64_t>(c0), static_cast<std::int64_t>(c)).t());
        return out;
    }

    // The tensor scan's filter scores of `a_low`'s rows against the corpus.
    // On CUDA this only queues the work. One tile may be queued ahead, for
    // the next scan_tile to pick up.
    at::Tensor low_scores(const at::Tensor& a_low, const TileSpan& span) {
        auto approx = at::mm(a_low.narrow(0, static_cast<std::int64_t>(span.r0), static_cast<std::int64_t>(span.r)),
                             x_low.narrow(0, static_cast<std::int64_t>(span.c0), static_cast<std::int64_t>(span.c)).t());
        if (!approx.is_cuda()) approx = approx.to(at::kHalf).to(at::kFloat);  // as CUDA's fp16 result is rounded
        return approx;
    }
    at::Tensor queued;       // low_scores(queued_rows, queued_span)
    at::Tensor queued_rows;  // held, so its memory cannot pass to other rows meanwhile
    TileSpan queued_span{};

    // Scores at >= t of the tile `span` of `a` (`a_low` its filter copy)
    // into `sink`. A caller that names the tile it scans next (of the same
    // `a_low`) lets the device compute that tile's filter while the host
    // merges this one's hits; otherwise each waits for the other. A wrong
    // `next` costs one matmul, never a wrong result.
    std::size_t scan_tile(const at::Tensor& a, const at::Tensor& a_low, const TileSpan& span, float t,
                          const TileSink& sink, const TileSpan* next = nullptr) {
        if (scan == Scan::fused)
            return scan_fused(ExactTile{tile_scores(a, span.r0, span.r, span.c0, span.c).data_ptr<float>()}, span.r,
                              span.c, t, sink);
        if (scan == Scan::bf16) {
            auto low = buffer_low.narrow(0, 0, static_cast<std::int64_t>(span.r * span.c))
                           .view({static_cast<std::int64_t>(span.r), static_cast<std::int64_t>(span.c)});
            at::mm_out(low, a_low.narrow(0, static_cast<std::int64_t>(span.r0), static_cast<std::int64_t>(span.r)),
                       x_low.narrow(0, static_cast<std::int64_t>(span.c0), static_cast<std::int64_t>(span.c)).t());
            const auto d = static_cast<std::size_t>(x.size(1));
            return scan_fused(FilteredTile<at::BFloat16>{low.data_ptr<at::BFloat16>(),
                                                         a.data_ptr<float>() + span.r0 * d,
                                                         x.data_ptr<float>() + span.c0 * d, d},
                              span.r, span.c, t, sink);
        }
        at::Tensor approx;
        if (queued.defined() && queued_rows.is_same(a_low) && queued_span == span) approx = std::move(queued);
        queued = queued_rows = at::Tensor();  // one filter tile in memory at a time (besides the filter's buffers)
        if (!approx.defined()) approx = low_scores(a_low, span);
        const auto hits = filtered_hits(
            approx, a.narrow(0, static_cast<std::int64_t>(span.r0), static_cast<std::int64_t>(span.r)),
            x.narrow(0, static_cast<std::int64_t>(span.c0), static_cast<std::int64_t>(span.c)), t,
            sink.column_side);
        approx = at::Tensor();
        if (next) {
            queued = low_scores(a_low, *next);
            queued_rows = a_low;
            queued_span = *next;
        }
        return merge_hits(hits, span.r, span.c, sink);
    }
};

SimilarityEngine::SimilarityEngine(const Matrix& corpus, const SimilarityCompute& compute, CorpusRows rows)
    : impl_(std::make_unique<Impl>()) {
    auto& m = *impl_;
    m.device = pick_device(compute.device);
    const bool cuda = m.device.is_cuda();
    m.device_name = cuda ? "cuda" : "cpu";
    using Scan = Impl::Scan;
    if (compute.scan == "auto") m.scan = cuda ? Scan::tensor : native_bf16_matmul() ? Scan::bf16 : Scan::fused;
    else if (compute.scan == "tensor") m.scan = Scan::tensor;
    else if (compute.scan == "fused" || compute.scan == "bf16") {
        if (cuda)
            throw Error("scan '" + compute.scan + "' reads scores on the CPU; use scan auto or tensor with device cuda");
        m.scan = compute.scan == "fused" ? Scan::fused : Scan::bf16;
    } else {
        throw Error("scan '" + compute.scan + "' is not one of auto, fused, bf16, tensor");
    }
    m.tile = compute.tile > 0 ? compute.tile : (cuda ? kCudaTile : kCpuTile);
    m.x = rows == CorpusRows::unit ? host_view(corpus).to(m.device) : normalised_on(corpus, m.device);
    // cuBLAS may otherwise round fp16 GEMMs' split-K partial sums to fp16,
    // which the filter's margin does not cover.
    if (cuda) at::globalContext().setAllowFP16ReductionCuBLAS(false);
    const auto side = static_cast<std::int64_t>(std::min(m.tile, corpus.rows));
    m.buffer = at::empty({side * side}, at::TensorOptions().dtype(at::kFloat).device(m.device));
}

SimilarityEngine::~SimilarityEngine() = default;

const std::string& SimilarityEngine::device() const { return impl_->device_name; }
std::size_t SimilarityEngine::rows() const { return impl_->n(); }

ThresholdPass SimilarityEngine::threshold_pass(float threshold, std::size_t keep_min, std::size_t member_budget_bytes,
                                               ProgressSink* progress) {
    auto& m = *impl_;
    const std::size_t n = m.n(), b = std::min(m.tile, n), blocks = (n + b - 1) / b;
    ThresholdPass pass;
    pass.counts.assign(n, 0);
    pass.members.resize(n);
    pass.complete.assign(n, 0);
    const std::size_t budget = member_budget_bytes / sizeof(Neighbour);
    bool collecting = budget > 0;
    std::size_t stored = 0;
    const std::uint64_t tiles = blocks * (blocks + 1) / 2;
    std::uint64_t done = 0;
    for (std::size_t bi = 0; bi < blocks; ++bi) {
        const std::size_t r0 = bi * b, r = std::min(b, n - r0);
        for (std::size_t bj = bi; bj < blocks; ++bj) {
            throw_if_cancelled(progress);
            const std::size_t c0 = bj * b, c = std::min(b, n - c0);
            // Tiles go (bi, bi), (bi, bi + 1), ..., then (bi + 1, bi + 1).
            const std::size_t next_r0 = bj + 1 < blocks ? r0 : r0 + b, next_c0 = bj + 1 < blocks ? c0 + b : r0 + b;
            const TileSpan next{next_r0, std::min(b, n - std::min(n, next_r0)), next_c0,
                                std::min(b, n - std::min(n, next_c0))};
            stored += m.scan_tile(m.x, m.filter_copy(), {r0, r, c0, c}, threshold,
                                  {pass.counts.data(), collecting ? pass.members.data() : nullptr, r0, c0, bi != bj},
                                  next_r0 < n ? &next : nullptr);
            if (collecting && stored > budget) {
                // Rows from this block on are incomplete: give their partial
                // lists back; the caller recomputes the seeds among them.
                collecting = false;
                for (std::size_t i = r0; i < n; ++i) NeighbourList().swap(pass.members[i]);
            }
            add_progress(progress, "communities: similarities", ++done, tiles);
        }
        // Every pair touching block bi has been seen: its rows are final.
        for (std::size_t i = r0; i < r0 + r; ++i) {
            if (collecting && pass.counts[i] >= keep_min) {
                pass.complete[i] = 1;
            } else {
                stored -= std::min(stored, pass.members[i].size());
                NeighbourList().swap(pass.members[i]);
            }
        }
    }
    return pass;
}

std::vector<NeighbourList> SimilarityEngine::members_of(std::span<const RowId> rows, float threshold,
                                                        ProgressSink* progress) {
    auto& m = *impl_;
    const std::size_t n = m.n(), b = std::min(m.tile, n);
    std::vector<NeighbourList> members(rows.size());
    std::vector<std::uint32_t> counts(rows.size(), 0);
    for (std::size_t q0 = 0; q0 < rows.size(); q0 += b) {
        const std::size_t r = std::min(b, rows.size() - q0);
        std::vector<std::int64_t> ids(rows.begin() + q0, rows.begin() + q0 + r);
        const auto index = at::from_blob(ids.data(), {static_cast<std::int64_t>(r)}, at::kLong).to(m.device);
        const auto queries = m.x.index_select(0, index);
        const auto queries_low = m.scan == Impl::Scan::fused ? at::Tensor() : m.filter_copy().index_select(0, index);
        for (std::size_t c0 = 0; c0 < n; c0 += b) {
            throw_if_cancelled(progress);
            const TileSpan next{0, r, c0 + b, std::min(b, n - std::min(n, c0 + b))};
            m.scan_tile(queries, queries_low, {0, r, c0, std::min(b, n - c0)}, threshold,
                        {counts.data(), members.data(), q0, c0, false}, next.c0 < n ? &next : nullptr);
        }
    }
    return members;
}

std::vector<NeighbourList> SimilarityEngine::top_k(const Matrix& queries, std::size_t k,
                                                   std::span<const std::int64_t> exclude, ProgressSink* progress) {
    auto& m = *impl_;
    const std::size_t n = m.n(), b = std::min(m.tile, n), nq = queries.rows, d = static_cast<std::size_t>(m.x.size(1));
    const auto q = normalised_on(queries, m.device);
    std::vector<TopK> best(nq, TopK(k));
    const auto excluded = [&](std::size_t query) { return exclude.empty() ? std::int64_t(-1) : exclude[query]; };
    // The bf16 filter converts each corpus tile once (one pass over the
    // corpus, like the matmul's own read) and pays where many queries share
    // it; a few queries are bound by reading the corpus, not by arithmetic.
    // The queries' bf16 copy is half their size (20 MB for 13k x 768).
    const bool filtered = m.scan == Impl::Scan::bf16 && nq >= kFilteredSearchMinQueries;
    at::Tensor q_low, corpus_tile_low, scores_low;
    if (filtered) {
        q_low = q.to(at::kBFloat16);
        corpus_tile_low = at::empty({static_cast<std::int64_t>(b), static_cast<std::int64_t>(d)}, q_low.options());
        scores_low = at::empty({static_cast<std::int64_t>(std::min(b, nq) * b)}, q_low.options());
    }
    const std::uint64_t tiles = ((nq + b - 1) / b) * ((n + b - 1) / b);
    std::uint64_t done = 0;
    // Corpus tiles outside, so each is converted once; a query's best k do
    // not depend on the order its candidates come in.
    for (std::size_t c0 = 0; c0 < n; c0 += b) {
        const std::size_t c = std::min(b, n - c0);
        at::Tensor corpus_low;
        if (filtered)
            corpus_low = corpus_tile_low.narrow(0, 0, static_cast<std::int64_t>(c))
                             .copy_(m.x.narrow(0, static_cast<std::int64_t>(c0), static_cast<std::int64_t>(c)));
        for (std::size_t q0 = 0; q0 < nq; q0 += b) {
            throw_if_cancelled(progress);
            const std::size_t r = std::min(b, nq - q0);
            if (filtered) {
                auto low = scores_low.narrow(0, 0, static_cast<std::int64_t>(r * c))
                               .view({static_cast<std::int64_t>(r), static_cast<std::int64_t>(c)});
                at::mm_out(low, q_low.narrow(0, static_cast<std::int64_t>(q0), static_cast<std::int64_t>(r)),
                           corpus_low.t());
                offer_tile(FilteredTile<at::BFloat16>{low.data_ptr<at::BFloat16>(), q.data_ptr<float>() + q0 * d,
                                        m.x.data_ptr<float>() + c0 * d, d},
                           r, c, c0, best.data() + q0, [&](std::size_t i) { return excluded(q0 + i); });
            } else if (m.scan != Impl::Scan::tensor) {
                // fp32 scores on the CPU, as a filter too: the matmul's
                // scores of two equal rows can differ in the last bit (which
                // blocks of BLAS's kernel a column falls in), so only
                // row_dot's make equal rows tie, and ties go by row id,
                // whatever the CPU, thread count or number of queries.
                offer_tile(FilteredTile<float>{m.tile_scores(q, q0, r, c0, c).data_ptr<float>(),
                                               q.data_ptr<float>() + q0 * d, m.x.data_ptr<float>() + c0 * d, d},
                           r, c, c0, best.data() + q0, [&](std::size_t i) { return excluded(q0 + i); });
            } else {
                // The matmul's scores filter, as on the CPU: a column below
                // a row's kk-th best (one spare covers an excluded row) minus
                // the fp32 margin cannot be among its k best; the columns
                // left are rescored, so that equal rows tie and ties go by
                // row id, also where more of them than kk share the top.
                const auto kk = static_cast<std::int64_t>(std::min(c, k + (exclude.empty() ? 0 : 1)));
                const auto scores = m.tile_scores(q, q0, r, c0, c);
                const auto floor = std::get<0>(scores.topk(kk, 1, /*largest=*/true, /*sorted=*/false))
                                       .amin(1, /*keepdim=*/true)
                                       .sub_(fp32_margin(d));
                const auto pairs = scores.ge(floor).nonzero();  // [m, 2]: tile row, tile column
                const auto exact =
                    exact_scores(q.narrow(0, static_cast<std::int64_t>(q0), static_cast<std::int64_t>(r)),
                                 m.x.narrow(0, static_cast<std::int64_t>(c0), static_cast<std::int64_t>(c)), pairs);
                const auto v = exact.to(at::kCPU).contiguous();
                const auto ij = pairs.to(at::kCPU).contiguous();
                const float* vp = v.data_ptr<float>();
                const std::int64_t* ip = ij.data_ptr<std::int64_t>();
                for (std::int64_t h = 0; h < ij.size(0); ++h) {
                    const auto i = static_cast<std::size_t>(ip[2 * h]);
                    const std::int64_t id = static_cast<std::int64_t>(c0) + ip[2 * h + 1];
                    if (id != excluded(q0 + i)) best[q0 + i].offer({static_cast<RowId>(id), vp[h]});
                }
            }
            add_progress(progress, "search", ++done, tiles);
        }
    }
    std::vector<NeighbourList> hits;
    hits.reserve(nq);
    for (auto& top : best) hits.push_back(top.take());
    return hits;
}

double SimilarityEngine::time_full_matmul(ProgressSink* progress) {
    auto& m = *impl_;
    const std::size_t n = m.n(), b = std::min(m.tile, n);
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t r0 = 0; r0 < n; r0 += b) {
        throw_if_cancelled(progress);
        for (std::size_t c0 = 0; c0 < n; c0 += b) m.tile_scores(m.x, r0, std::min(b, n - r0), c0, std::min(b, n - c0));
        add_progress(progress, "matmul baseline", r0 / b + 1, (n + b - 1) / b);
    }
    if (m.device.is_cuda()) torch::cuda::synchronize();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace distill::cluster
