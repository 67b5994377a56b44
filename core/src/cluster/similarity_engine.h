#pragma once
// The clustering stage's only contact with libtorch (similarity_engine_torch.cpp).
// Cosines of L2-normalised rows are computed in square tiles (one matmul
// each, into a reused buffer) and every tile is scanned right away, so
// memory is one tile plus what the caller keeps, never N x N. The same code
// runs on the CPU (BLAS) and on CUDA; only the scan of a tile differs: a
// fused loop over the fp32 scores on the CPU, or on a CPU with bf16 matmul
// units over a bf16 filter's scores whose candidates get fp32 dot products
// (the same filter idea as the GPU's); on the GPU tensor ops (ge,
// nonzero, topk), with threshold tiles computed in fp16 as a filter whose
// candidates are rescored exactly in fp32; the next tile's filter runs on
// the device while the host files this tile's hits. SimilarityCompute::scan =
// "tensor" runs the latter on the CPU (the filter there in fp16-rounded
// fp32), which is how the CUDA path's logic is tested without a GPU.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "distill/cluster.h"

namespace distill::cluster {

struct Neighbour {
    RowId id;
    float score;
};
using NeighbourList = std::vector<Neighbour>;

// The order of hits and of community members: higher cosine first, equal
// cosines by row id, so results never depend on scan or thread order.
inline bool ranks_before(const Neighbour& a, const Neighbour& b) {
    return a.score > b.score || (a.score == b.score && a.id < b.id);
}

// Outcome of one pass over every pair of corpus rows at a threshold.
struct ThresholdPass {
    std::vector<std::uint32_t> counts;   // per row: rows at >= threshold, itself included
    std::vector<NeighbourList> members;  // per row: those rows, in no order, where complete[row]
    std::vector<std::uint8_t> complete;  // 1 where members holds them all
};

// Scales every row of `m` to unit length in place, as SimilarityEngine
// scales its copy of a corpus (F.normalize: x / max(|x|, 1e-12)).
void normalise_rows_in_place(Matrix& m);

// What the rows of a corpus given to a SimilarityEngine are.
enum class CorpusRows {
    any,   // scaled to unit length in the engine's copy
    unit,  // scaled already (normalise_rows_in_place): read in place on the
           // CPU, so the Matrix must outlive the engine
};

class SimilarityEngine {
public:
    // Keeps an L2-normalised copy of `corpus` (F.normalize's eps 1e-12) on
    // the chosen device, or on the CPU reads unit rows in place. The caller
    // has validated it (non-empty, finite).
    SimilarityEngine(const Matrix& corpus, const SimilarityCompute& compute, CorpusRows rows = CorpusRows::any);
    ~SimilarityEngine();
    SimilarityEngine(const SimilarityEngine&) = delete;
    SimilarityEngine& operator=(const SimilarityEngine&) = delete;

    const std::string& device() const;  // "cpu" or "cuda"
    std::size_t rows() const;

    // Counts, for every row, the rows with cosine >= threshold, visiting each
    // unordered pair of tiles once (the matrix is symmetric: half the
    // matmuls). Member lists are kept for rows whose count reaches keep_min
    // while they fit member_budget_bytes; past that the pass only counts
    // (rows left incomplete are for members_of()).
    ThresholdPass threshold_pass(float threshold, std::size_t keep_min, std::size_t member_budget_bytes,
                                 ProgressSink* progress);

    // All rows with cosine >= threshold to each of `rows`, in no order.
    std::vector<NeighbourList> members_of(std::span<const RowId> rows, float threshold, ProgressSink* progress);

    // Each query's k best corpus rows (ranks_before order), leaving out
    // exclude[q] when exclude is non-empty and exclude[q] >= 0. On the CPU
    // the matmul's scores only filter: a row within the margin of the
    // query's k-th best is rescored in fp32 in one fixed order, so equal rows
    // tie exactly. The bf16 scan's filter is bf16 (16 queries or more).
    std::vector<NeighbourList> top_k(const Matrix& queries, std::size_t k, std::span<const std::int64_t> exclude,
                                     ProgressSink* progress);

    // Seconds for the plain matmuls of every tile of the full N x N matrix,
    // with no scan: the scale a benchmark compares the passes with.
    double time_full_matmul(ProgressSink* progress);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace distill::cluster
