// FewShotPicker: top-k cosine neighbours of the sampled questions in the
// whole pooled corpus, through the cluster stage's exact tiled search.
#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "cluster/input_checks.h"
#include "distill/error.h"
#include "distill/fewshot.h"
#include "fewshot/excerpt.h"

namespace distill {

FewShotPicker::FewShotPicker(const std::vector<Record>& records, const Matrix& embeddings,
                             FewShotSettings settings, SimilarityCompute compute)
    : records_(records), embeddings_(embeddings), settings_(settings), compute_(std::move(compute)) {
    if (settings_.k < 1) throw Error("few-shot k is 0, which asks for no shots; use 1 or more (the reference: 5)");
    // Checked here, not at the first search, so a bad row is blamed on the
    // embeddings rather than on the origins being searched for.
    cluster::check_embeddings(embeddings_, "embeddings");
    if (records_.size() != embeddings_.rows)
        throw Error("the corpus has " + std::to_string(records_.size()) + " records but the embeddings " +
                    std::to_string(embeddings_.rows) +
                    " rows; embed exactly the pooled corpus's questions, in its order");
    row_of_question_.reserve(records_.size());
    for (std::size_t row = 0; row < records_.size(); ++row) {
        const Record& r = records_[row];
        const auto q = r.is_object() ? r.find("question") : r.end();
        if (!r.is_object() || q == r.end() || !q->is_string())
            throw Error("corpus record " + std::to_string(row) +
                        " has no string \"question\"; give the few-shot stage the JSONL `distill corpus` writes");
        const auto [it, inserted] =
            row_of_question_.emplace(q->get_ref<const std::string&>(), static_cast<RowId>(row));
        // The corpus stage keeps one record per exact question, so a shot is
        // never a copy of its origin once the origin's own row is left out,
        // and a question names exactly one row for curators' edits.
        if (!inserted)
            throw Error("corpus records " + std::to_string(it->second) + " and " + std::to_string(row) +
                        " have the same question " + fewshot::quoted_excerpt(q->get_ref<const std::string&>()) +
                        "; the few-shot stage needs the deduplicated corpus `distill corpus` writes");
    }
}

std::vector<FewShot> FewShotPicker::pick(const std::vector<RowId>& origins, ProgressSink* progress) const {
    if (origins.empty()) return {};
    std::unordered_set<RowId> seen;
    Matrix queries(origins.size(), embeddings_.cols);
    SearchOptions search;
    search.top_k = settings_.k;
    search.compute = compute_;
    search.exclude.reserve(origins.size());
    for (std::size_t i = 0; i < origins.size(); ++i) {
        const RowId row = origins[i];
        if (row >= records_.size())
            throw Error("origin " + std::to_string(i) + " is row " + std::to_string(row) + " but the corpus has rows 0.." +
                        std::to_string(records_.size() - 1) + "; sample from this corpus's embeddings");
        if (!seen.insert(row).second)
            throw Error("row " + std::to_string(row) + " is sampled twice; each origin must be a different row");
        const auto from = embeddings_.row(row);
        std::copy(from.begin(), from.end(), queries.row(i).begin());
        // The reference took top-(k+1) and dropped the first hit, assuming it
        // was the question itself; with tied scores it may not be. Leaving
        // the origin's row out of its own search is exact.
        search.exclude.push_back(row);
    }
    const auto hits = semantic_search(embeddings_, queries, search, progress);
    std::vector<FewShot> out(origins.size());
    for (std::size_t i = 0; i < origins.size(); ++i) {
        out[i].origin = origins[i];
        out[i].shots.reserve(hits[i].size());
        for (const auto& h : hits[i]) out[i].shots.push_back({h.corpus_id, h.score});
    }
    return out;
}

float FewShotPicker::similarity(RowId a, RowId b) const {
    const auto u = embeddings_.row(a), v = embeddings_.row(b);
    double dot = 0, uu = 0, vv = 0;
    for (std::size_t k = 0; k < u.size(); ++k) {
        const double x = u[k], y = v[k];
        dot += x * y, uu += x * x, vv += y * y;
    }
    const double norms = std::sqrt(uu * vv);
    return norms > 0 ? static_cast<float>(dot / norms) : 0.0f;
}

std::optional<RowId> FewShotPicker::find_question(std::string_view question) const {
    const auto it = row_of_question_.find(question);
    if (it == row_of_question_.end()) return std::nullopt;
    return it->second;
}

const std::string& FewShotPicker::question(RowId row) const {
    return records_.at(row).at("question").get_ref<const std::string&>();
}

}  // namespace distill
