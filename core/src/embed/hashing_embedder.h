#pragma once
#include "distill/embedder.h"

namespace distill {

// The offline default: IDF-weighted hashed features, L2-normalised. Word
// unigrams and bigrams say what a question is about; character 3- to
// 5-grams inside words make near-duplicates (a changed number, a typo, an
// inflection) land close together. Features are hashed (xxHash) straight
// into kDimensions signed buckets, which is a random projection of the
// sparse TF-IDF vector. IDF is computed over the texts embedded together,
// so the vectors of one call are comparable with each other.
class HashingEmbedder final : public Embedder {
public:
    static constexpr std::size_t kDimensions = 384;
    std::string identity() const override;
    Matrix embed(const std::vector<std::string>& texts, ProgressSink* progress) override;
};

}  // namespace distill
