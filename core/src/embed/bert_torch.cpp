// BERT (MiniLM, bge, e5, gte): transformers' BertModel up to
// last_hidden_state, for single-sentence input (token type 0 throughout, as
// sentence-transformers feeds it) with absolute position embeddings.
#include "embed/encoder_layers_torch.h"

namespace distill::embed {
namespace {

class BertEncoder final : public TransformerEncoder {
public:
    BertEncoder(const EncoderConfig& c, WeightSource& w, const Placement& p) : config_(c) {
        const auto h = c.hidden_size;
        word_ = take(w, "embeddings.word_embeddings.weight", {c.vocab_size, h}, p);
        position_ = take(w, "embeddings.position_embeddings.weight", {c.max_positions, h}, p);
        // Only row 0 is ever used: single sentences have token type 0.
        token_type_ = take(w, "embeddings.token_type_embeddings.weight", {c.type_vocab_size, h}, p)[0];
        norm_ = take_norm(w, "embeddings.LayerNorm", h, p);
        for (std::int64_t i = 0; i < c.num_layers; ++i) {
            const std::string l = "encoder.layer." + std::to_string(i) + ".";
            layers_.push_back(take_layer(w,
                                         {l + "attention.self.query", l + "attention.self.key",
                                          l + "attention.self.value", l + "attention.output.dense",
                                          l + "attention.output.LayerNorm", l + "intermediate.dense",
                                          l + "output.dense", l + "output.LayerNorm"},
                                         c, p));
        }
    }

    at::Tensor forward(const at::Tensor& ids, const at::Tensor& mask) const override {
        const auto length = ids.size(1);
        if (length > position_.size(0))
            throw Error(config_.origin + ": a text of " + std::to_string(length) + " tokens exceeds the model's " +
                        std::to_string(position_.size(0)) + " positions; lower max_seq_length");
        auto x = at::embedding(word_, ids).add_(token_type_).add_(position_.slice(0, 0, length));
        x = layer_norm(x, norm_, config_.layer_norm_eps);
        return run_layers(layers_, config_, x, padding_bias(mask, x.scalar_type()));
    }

private:
    EncoderConfig config_;
    at::Tensor word_, position_, token_type_;
    Norm norm_;
    std::vector<EncoderLayer> layers_;
};

}  // namespace

std::unique_ptr<TransformerEncoder> make_bert_encoder(const EncoderConfig& config, WeightSource& weights,
                                                      const Placement& placement) {
    return std::make_unique<BertEncoder>(config, weights, placement);
}

}  // namespace distill::embed
