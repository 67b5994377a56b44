#include "embed/hashing_embedder.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>

#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <xxhash.h>

namespace distill {
namespace {

// Bumped when features or weights change: part of identity(), so cached
// vectors of an older scheme are not reused.
constexpr int kSchemeVersion = 1;
// Document frequencies are counted per hashed bucket rather than per exact
// feature: bounded memory (16 MiB) whatever the corpus size, at the cost of
// rare collisions between features' counts.
constexpr std::size_t kDfBuckets = std::size_t(1) << 22;
constexpr std::uint64_t kWordSeed = 0x5eed0001, kCharSeed = 0x5eed0002;
// Words and character n-grams contribute equally once each group is normalised.
constexpr float kWordShare = 0.5f;

struct Feature {
    std::uint64_t hash;
    float count;
};

// Lower-cased words: maximal runs of letters and digits (ICU categories).
std::vector<std::string> words_of(const std::string& text) {
    icu::UnicodeString u = icu::UnicodeString::fromUTF8(text);
    u.toLower();
    std::vector<std::string> words;
    icu::UnicodeString word;
    auto flush = [&] {
        if (word.isEmpty()) return;
        words.emplace_back();
        word.toUTF8String(words.back());
        word.remove();
    };
    for (int32_t i = 0; i < u.length();) {
        const UChar32 c = u.char32At(i);
        if (u_isalnum(c)) word.append(c);
        else flush();
        i = u.moveIndex32(i, 1);
    }
    flush();
    return words;
}

std::uint64_t hash(std::string_view s, std::uint64_t seed) { return XXH3_64bits_withSeed(s.data(), s.size(), seed); }

// Appends the hashed features of one text, merged by hash with counts.
void features_of(const std::string& text, std::vector<Feature>& words, std::vector<Feature>& chars) {
    words.clear();
    chars.clear();
    const auto tokens = words_of(text);
    auto add = [](std::vector<Feature>& v, std::uint64_t h) { v.push_back({h, 1.0f}); };
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        add(words, hash(tokens[i], kWordSeed));
        if (i + 1 < tokens.size()) add(words, hash(tokens[i] + ' ' + tokens[i + 1], kWordSeed));
        // n-grams over bytes of " word ": for non-ASCII text they cut through
        // characters, which is harmless for hashing and much cheaper.
        const std::string padded = ' ' + tokens[i] + ' ';
        for (std::size_t n = 3; n <= 5; ++n)
            for (std::size_t j = 0; j + n <= padded.size(); ++j) add(chars, hash(std::string_view(padded).substr(j, n), kCharSeed));
    }
    for (auto* v : {&words, &chars}) {
        std::sort(v->begin(), v->end(), [](const Feature& a, const Feature& b) { return a.hash < b.hash; });
        std::size_t out = 0;
        for (std::size_t i = 0; i < v->size(); ++i) {
            if (out > 0 && (*v)[out - 1].hash == (*v)[i].hash) (*v)[out - 1].count += 1;
            else (*v)[out++] = (*v)[i];
        }
        v->resize(out);
    }
}

// Adds the TF-IDF weighted, signed features into `row`, scaled so the group
// has L2 norm `share`.
void accumulate(const std::vector<Feature>& features, const std::vector<std::uint32_t>& df, float n_docs,
                float share, std::span<float> row, std::vector<float>& scratch) {
    std::fill(scratch.begin(), scratch.end(), 0.0f);
    for (const auto& f : features) {
        const float idf = std::log((1.0f + n_docs) / (1.0f + float(df[f.hash % kDfBuckets]))) + 1.0f;
        const float weight = (1.0f + std::log(f.count)) * idf;
        const std::size_t dim = (f.hash >> 32) % HashingEmbedder::kDimensions;
        scratch[dim] += (f.hash & 1) ? weight : -weight;
    }
    double norm = 0;
    for (float v : scratch) norm += double(v) * v;
    if (norm == 0) return;
    const float scale = share / float(std::sqrt(norm));
    for (std::size_t d = 0; d < row.size(); ++d) row[d] += scratch[d] * scale;
}

}  // namespace

std::string HashingEmbedder::identity() const {
    return "hashing/v" + std::to_string(kSchemeVersion) + "/dim" + std::to_string(kDimensions);
}

Matrix HashingEmbedder::embed(const std::vector<std::string>& texts, ProgressSink* progress) {
    std::vector<std::uint32_t> df(kDfBuckets, 0);
    std::vector<Feature> words, chars;
    const std::uint64_t total = 2 * texts.size();
    // Pass 1: document frequencies. Each feature appears once per text after merging.
    for (std::size_t i = 0; i < texts.size(); ++i) {
        if (i % 1024 == 0) {
            throw_if_cancelled(progress);
            if (progress) progress->update("embed", i, total);
        }
        features_of(texts[i], words, chars);
        for (const auto* v : {&words, &chars})
            for (const auto& f : *v) ++df[f.hash % kDfBuckets];
    }
    // Pass 2: weighted vectors.
    Matrix out(texts.size(), kDimensions);
    std::vector<float> scratch(kDimensions);
    const float n_docs = float(texts.size());
    for (std::size_t i = 0; i < texts.size(); ++i) {
        if (i % 1024 == 0) {
            throw_if_cancelled(progress);
            if (progress) progress->update("embed", texts.size() + i, total);
        }
        features_of(texts[i], words, chars);
        auto row = out.row(i);
        accumulate(words, df, n_docs, kWordShare, row, scratch);
        accumulate(chars, df, n_docs, 1.0f - kWordShare, row, scratch);
        double norm = 0;
        for (float v : row) norm += double(v) * v;
        if (norm > 0)
            for (float& v : row) v = float(v / std::sqrt(norm));
    }
    if (progress) progress->update("embed", total, total);
    return out;
}

}  // namespace distill
