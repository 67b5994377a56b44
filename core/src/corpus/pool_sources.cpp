// pool_sources: every source in order into one list, deduplicated by exact
// question text with the reference's dict semantics.
#include <xxhash.h>

#include <numeric>
#include <unordered_map>
#include <utility>

#include "corpus/column_mapping.h"
#include "corpus/source_file.h"
#include "distill/corpus.h"

namespace distill {

namespace {

// The index keys on a 128-bit hash of the question rather than the text, so
// it does not hold a second copy of every question (700k of them for math).
// A collision among fewer than 2^32 questions has odds below 2^-64.
struct QuestionHash {
    std::size_t operator()(const XXH128_hash_t& h) const {
        return static_cast<std::size_t>(h.low64);
    }
};
struct SameQuestionHash {
    bool operator()(const XXH128_hash_t& a, const XXH128_hash_t& b) const {
        return XXH128_isEqual(a, b);
    }
};

// Like the reference's `dict[question] = record` in source order: a repeated
// question keeps the slot of its first appearance and takes the content of
// its last.
class QuestionPool {
public:
    explicit QuestionPool(Corpus& corpus) : corpus_(corpus) {}

    void add(Record&& record, std::uint32_t source) {
        const auto& question = record.at(corpus::kQuestion).get_ref<const std::string&>();
        const auto [slot, is_new] = index_.try_emplace(
            XXH3_128bits(question.data(), question.size()), corpus_.records.size());
        if (is_new) {
            corpus_.records.push_back(std::move(record));
            corpus_.source_of.push_back(source);
        } else {
            corpus_.records[slot->second] = std::move(record);
            corpus_.source_of[slot->second] = source;
            ++corpus_.report.duplicates_replaced;
        }
    }

private:
    Corpus& corpus_;
    std::unordered_map<XXH128_hash_t, std::size_t, QuestionHash, SameQuestionHash> index_;
};

// read_source counts bytes of one file; the user watches one bar for the
// whole pool, so each source's progress is shifted by the sources before it.
class PooledProgress final : public ProgressSink {
public:
    PooledProgress(ProgressSink* outer, std::uint64_t done_before, std::uint64_t total)
        : outer_(outer), done_before_(done_before), total_(total) {}
    void update(std::string_view stage, std::uint64_t done, std::uint64_t) override {
        outer_->update(stage, done_before_ + done, total_);
    }
    bool cancel_requested() const override { return outer_->cancel_requested(); }

private:
    ProgressSink* outer_;
    std::uint64_t done_before_;
    std::uint64_t total_;
};

// Every file and column map is checked before anything is read, so a
// mistyped path in the last source fails at once rather than after an hour
// of reading the others. Returns the file sizes.
std::vector<std::uint64_t> check_sources(const std::vector<SourceSpec>& sources) {
    std::vector<std::uint64_t> sizes;
    for (const SourceSpec& source : sources) {
        corpus::open_source_file(source.path);
        corpus::check_column_map(source);
        sizes.push_back(corpus::source_file_size(source.path));
    }
    return sizes;
}

}  // namespace

Corpus pool_sources(const std::vector<SourceSpec>& sources, BadInputPolicy policy,
                    ProgressSink* progress) {
    const std::vector<std::uint64_t> sizes = check_sources(sources);
    const std::uint64_t total = std::accumulate(sizes.begin(), sizes.end(), std::uint64_t{0});

    Corpus corpus;
    QuestionPool pool(corpus);
    std::uint64_t done_before = 0;
    for (std::uint32_t i = 0; i < sources.size(); ++i) {
        PooledProgress source_progress(progress, done_before, total);
        corpus.report.sources.push_back(read_source(
            sources[i], policy, [&pool, i](Record&& record) { pool.add(std::move(record), i); },
            &corpus.report.problems, progress ? &source_progress : nullptr));
        done_before += sizes[i];
    }
    return corpus;
}

}  // namespace distill
