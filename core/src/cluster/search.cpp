// Top-k cosine search (util.semantic_search), tile by tile: each query
// keeps its best k in a small sorted buffer that a score below its worst
// never touches, so a tile costs one read of its scores and no full sort.
#include <algorithm>
#include <string>

#include "cluster/input_checks.h"
#include "cluster/similarity_engine.h"
#include "distill/error.h"

namespace distill {
namespace {

// The search of a checked corpus of `rows` (unit rows: read in place).
std::vector<std::vector<SearchHit>> search_corpus(const Matrix& corpus, cluster::CorpusRows rows,
                                                  const Matrix& queries, const SearchOptions& options,
                                                  ProgressSink* progress) {
    cluster::check_embeddings(queries, "query embeddings");
    if (queries.cols != corpus.cols)
        throw Error("queries have " + std::to_string(queries.cols) + " dimensions but the corpus has " +
                    std::to_string(corpus.cols) + "; embed both with the same model");
    if (options.top_k < 1) throw Error("top-k 0 asks for no hits; use 1 or more");
    if (!options.exclude.empty()) {
        if (options.exclude.size() != queries.rows)
            throw Error("the exclude list has " + std::to_string(options.exclude.size()) + " entries for " +
                        std::to_string(queries.rows) + " queries; give one corpus row (or -1) per query");
        for (std::size_t q = 0; q < queries.rows; ++q) {
            const auto row = options.exclude[q];
            if (row < -1 || row >= static_cast<std::int64_t>(corpus.rows))
                throw Error("query " + std::to_string(q) + " excludes corpus row " + std::to_string(row) +
                            ", but the corpus has rows 0.." + std::to_string(corpus.rows - 1) + " (-1: none)");
        }
    }
    cluster::SimilarityEngine engine(corpus, options.compute, rows);
    const auto lists = engine.top_k(queries, options.top_k, options.exclude, progress);
    std::vector<std::vector<SearchHit>> hits(lists.size());
    for (std::size_t q = 0; q < lists.size(); ++q)
        for (const auto& n : lists[q]) hits[q].push_back({n.id, n.score});
    return hits;
}

}  // namespace

SearchIndex::SearchIndex(Matrix corpus) : unit_(std::move(corpus)) {
    cluster::check_embeddings(unit_, "corpus embeddings");
    cluster::normalise_rows_in_place(unit_);
}

Matrix SearchIndex::query_for(std::size_t row) const {
    if (row >= unit_.rows)
        throw Error("row " + std::to_string(row) + " is past the corpus's " + std::to_string(unit_.rows) + " rows");
    Matrix query(1, unit_.cols);
    const auto from = unit_.row(row);
    std::copy(from.begin(), from.end(), query.values.begin());
    return query;
}

std::vector<std::vector<SearchHit>> SearchIndex::search(const Matrix& queries, const SearchOptions& options,
                                                        ProgressSink* progress) const {
    return search_corpus(unit_, cluster::CorpusRows::unit, queries, options, progress);
}

std::vector<std::vector<SearchHit>> semantic_search(const Matrix& corpus, const Matrix& queries,
                                                    const SearchOptions& options, ProgressSink* progress) {
    cluster::check_embeddings(corpus, "corpus embeddings");
    // The engine's unit-row copy is the only one made.
    return search_corpus(corpus, cluster::CorpusRows::any, queries, options, progress);
}

}  // namespace distill
