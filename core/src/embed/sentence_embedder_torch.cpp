// A sentence-transformers model directory as an Embedder: the WordPiece
// tokenizer, then the encoder, pooling and Normalize of SentenceEncoder.
#include "embed/sentence_embedder.h"

#include <ATen/Parallel.h>

#include <optional>

#include "distill/content_hash.h"
#include "distill/text_tokenizer.h"
#include "embed/encoder_torch.h"

namespace distill::embed {
namespace {

// Token ids of every text into one buffer, tokenized in parallel chunks
// (the tokenizer is thread-safe): no allocation per text.
TokenRows tokenize(const WordPieceTokenizer& tokenizer, const std::vector<std::string>& texts,
                   ProgressSink* progress) {
    constexpr std::size_t kChunk = 2048;
    const std::size_t chunks = (texts.size() + kChunk - 1) / kChunk;
    std::vector<TokenRows> parts(chunks);
    for (std::size_t begin = 0; begin < chunks; begin += 64) {  // a cancel point every 64 chunks
        throw_if_cancelled(progress);
        const std::size_t end = std::min(chunks, begin + 64);
        at::parallel_for(std::int64_t(begin), std::int64_t(end), 1, [&](std::int64_t first, std::int64_t last) {
            std::vector<std::int32_t> ids;
            for (std::int64_t c = first; c < last; ++c) {
                TokenRows& part = parts[std::size_t(c)];
                const std::size_t stop = std::min(texts.size(), std::size_t(c + 1) * kChunk);
                for (std::size_t i = std::size_t(c) * kChunk; i < stop; ++i) {
                    tokenizer.encode(texts[i], ids);
                    part.ids.insert(part.ids.end(), ids.begin(), ids.end());
                    part.offsets.push_back(part.ids.size());
                }
            }
        });
        if (progress) progress->update("tokenizing", std::min(texts.size(), end * kChunk), texts.size());
    }
    TokenRows rows;
    std::size_t total = 0;
    for (const auto& part : parts) total += part.ids.size();
    rows.ids.reserve(total);
    rows.offsets.reserve(texts.size() + 1);
    for (const auto& part : parts) {
        const std::size_t base = rows.ids.size();
        rows.ids.insert(rows.ids.end(), part.ids.begin(), part.ids.end());
        for (std::size_t i = 1; i < part.offsets.size(); ++i) rows.offsets.push_back(base + part.offsets[i]);
    }
    return rows;
}

}  // namespace

SentenceEncoder load_sentence_encoder(const ModelDir& model, const WordPieceTokenizer& tokenizer,
                                      const Placement& placement, int batch_size) {
    const SafetensorsFile file(model.weights_path());
    CheckpointWeights weights(file, model.encoder.architecture == Architecture::Bert ? "bert." : "mpnet.");
    return SentenceEncoder(make_encoder(model.encoder, weights, placement), model.encoder.hidden_size, model.pooling,
                           model.normalize, placement, tokenizer.pad_id(), batch_size,
                           model.pool_prompt ? 0 : std::int64_t(tokenizer.prompt_tokens()));
}

namespace {

class SentenceEmbedder final : public Embedder {
public:
    SentenceEmbedder(ModelDir model, const EmbedOptions& options, Placement placement)
        : model_(std::move(model)),
          tokenizer_(WordPieceTokenizer::from_model_dir(model_.dir)),
          placement_(std::move(placement)),
          batch_size_(options.batch_size),
          identity_(make_identity()) {}

    std::string identity() const override { return identity_; }

    // The weights are loaded at the first embed, before any tokenizing: a
    // run whose vectors are cached, or the GUI opening the last run, needs
    // the identity alone, and loading a base-sized model onto its device
    // costs seconds (a CUDA context's start included).
    Matrix embed(const std::vector<std::string>& texts, ProgressSink* progress) override {
        if (!encoder_) encoder_.emplace(load_sentence_encoder(model_, tokenizer_, placement_, batch_size_));
        return encoder_->encode(tokenize(tokenizer_, texts, progress), progress);
    }

private:
    // The content of every file that decides the vectors, and where and how
    // precisely they are computed (fp16 vectors differ from fp32 ones). The
    // batch size is left out: with padding masked it does not change them.
    std::string make_identity() const {
        ContentHasher hash;
        for (const auto& path : model_.content_files) hash.add_file(path);
        if (!model_.prompt.empty()) hash.add("default prompt").add(model_.prompt);
        return std::string("model/") + (model_.encoder.architecture == Architecture::Bert ? "bert" : "mpnet") + "/" +
               pooling_name(model_.pooling) + (model_.normalize ? "/normalized/" : "/") + hash.hex() + "/" +
               placement_name(placement_);
    }

    ModelDir model_;
    WordPieceTokenizer tokenizer_;
    Placement placement_;
    int batch_size_;
    std::string identity_;
    std::optional<SentenceEncoder> encoder_;
};

}  // namespace

std::unique_ptr<Embedder> make_sentence_embedder(const std::string& dir, const EmbedOptions& options) {
    // The device first: asking for CUDA on a machine without one should say
    // so before any file is read.
    const Placement placement = resolve_placement(options.device, options.dtype);
    return std::make_unique<SentenceEmbedder>(ModelDir::read(dir), options, placement);
}

}  // namespace distill::embed
