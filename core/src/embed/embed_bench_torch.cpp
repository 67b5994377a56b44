// `distill bench embed`: questions/s and tokens/s of an embedding model, on
// synthetic token ids shaped like pooled questions (SPEC §8 measured the
// reference on ~30-token questions with all-mpnet-base-v2).
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <random>

#include "distill/embedder.h"
#include "distill/text_tokenizer.h"
#include "embed/encoder_torch.h"

namespace distill {
namespace {

using namespace embed;

struct SpecialIds {
    std::int32_t first = 0, last = 2, pad = 1;  // MPNet's <s> </s> <pad>
    std::int32_t lowest_word = 5;               // ids below are special tokens
    std::int32_t vocab = 30527;
    std::size_t max_length = 384;               // all-mpnet-base-v2's max_seq_length
};

SpecialIds special_ids(const WordPieceTokenizer& tokenizer) {
    SpecialIds s;
    const auto id = [&](const char* bert, const char* mpnet) {
        return tokenizer.token_id(bert).value_or(tokenizer.token_id(mpnet).value_or(0));
    };
    s.first = id("[CLS]", "<s>");
    s.last = id("[SEP]", "</s>");
    s.pad = tokenizer.pad_id();
    s.vocab = std::int32_t(tokenizer.vocab_size());
    s.lowest_word = std::min<std::int32_t>(1000, s.vocab / 2);  // past BERT's [unused] block
    s.max_length = std::size_t(tokenizer.max_length());
    return s;
}

// Lengths uniform in [tokens / 2, 3 * tokens / 2], words uniform over the
// vocabulary: a mix of short and long questions, as a pooled corpus has.
TokenRows synthetic_rows(std::size_t count, std::size_t tokens, const SpecialIds& s, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    const std::size_t shortest = std::max<std::size_t>(3, tokens / 2);
    const std::size_t longest = std::min(s.max_length, std::max(shortest, tokens + tokens / 2));
    TokenRows rows;
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t length = shortest + rng() % (longest - shortest + 1);
        rows.ids.push_back(s.first);
        for (std::size_t t = 2; t < length; ++t)
            rows.ids.push_back(s.lowest_word + std::int32_t(rng() % std::uint64_t(s.vocab - s.lowest_word)));
        rows.ids.push_back(s.last);
        rows.offsets.push_back(rows.ids.size());
    }
    return rows;
}

}  // namespace

std::string EmbedBenchResult::summary() const {
    char line[512];
    std::snprintf(line, sizeof line,
                  "embed %s on %s (%d CPU threads, batch %d): %zu questions, %zu tokens in %.2f s: "
                  "%.0f questions/s, %.0f tokens/s",
                  model.c_str(), placement.c_str(), cpu_threads, batch_size, questions, tokens, seconds,
                  questions_per_second(), tokens_per_second());
    return line;
}

EmbedBenchResult bench_embed(const EmbedBenchOptions& options, ProgressSink* progress) {
    const Placement placement = resolve_placement(options.embed.device, options.embed.dtype);
    EmbedBenchResult result;
    std::optional<SentenceEncoder> encoder;
    SpecialIds ids;
    if (options.model.empty()) {
        const EncoderConfig config = EncoderConfig::mpnet_base();
        RandomWeights weights(options.seed);
        encoder.emplace(make_encoder(config, weights, placement), config.hidden_size, Pooling::Mean, true, placement,
                        ids.pad, options.embed.batch_size);
        result.model = "random-weight MPNet-base";
    } else {
        const ModelDir model = ModelDir::read(options.model);
        const auto tokenizer = WordPieceTokenizer::from_model_dir(model.dir);
        ids = special_ids(tokenizer);
        encoder.emplace(load_sentence_encoder(model, tokenizer, placement, options.embed.batch_size));
        result.model = options.model;
    }
    const TokenRows rows = synthetic_rows(options.count, options.tokens, ids, options.seed);
    // One batch first: the first forward pass pays for allocator and kernel
    // set-up that a long run does not.
    const std::size_t warm_rows = std::min<std::size_t>(8, rows.rows());
    TokenRows warm_up;
    warm_up.ids.assign(rows.ids.begin(), rows.ids.begin() + std::ptrdiff_t(rows.offsets[warm_rows]));
    warm_up.offsets.assign(rows.offsets.begin(), rows.offsets.begin() + std::ptrdiff_t(warm_rows + 1));
    encoder->encode(warm_up, nullptr);

    const auto start = std::chrono::steady_clock::now();
    encoder->encode(rows, progress);
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.placement = placement_name(placement);
    result.cpu_threads = at::get_num_threads();
    result.batch_size = encoder->batch_size();
    result.questions = rows.rows();
    result.tokens = rows.ids.size();
    return result;
}

}  // namespace distill
