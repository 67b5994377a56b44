// MPNet (all-mpnet-base-v2): transformers' MPNetModel up to
// last_hidden_state. Unlike BERT it has no token types, counts positions
// from after the padding id, and adds a T5-style relative position bias,
// shared by all layers, to the attention scores.
#include <cmath>

#include "embed/encoder_layers_torch.h"

namespace distill::embed {
namespace {

// transformers hard-codes MPNet's padding_idx as 1 whatever config.json
// says, and derives position ids from it.
constexpr std::int64_t kPaddingIdx = 1;

// MPNetEncoder calls compute_position_bias without num_buckets, so the
// default 32 buckets (max distance 128) are used whatever
// relative_attention_num_buckets says; only the table's size follows it.
constexpr std::int64_t kBuckets = 32;
constexpr double kMaxDistance = 128;

// relative_position_bucket of transformers' MPNet for every (query, key)
// pair of a sequence of `length`, computed the same way (float32 log) so
// the buckets at the log-spaced boundaries are the same.
at::Tensor relative_buckets(std::int64_t length) {
    const auto positions = at::arange(length, at::kLong);
    const auto relative = positions.unsqueeze(0) - positions.unsqueeze(1);  // memory - context
    auto n = -relative;
    const std::int64_t half = kBuckets / 2, max_exact = half / 2;
    auto ret = n.lt(0).to(at::kLong) * half;
    n = n.abs();
    const auto is_small = n.lt(max_exact);
    auto large = (at::log(n.to(at::kFloat) / double(max_exact)) / std::log(kMaxDistance / double(max_exact)) *
                  double(half - max_exact))
                     .to(at::kLong) +
                 max_exact;
    large = at::minimum(large, at::full_like(large, half - 1));
    return ret + at::where(is_small, n, large);
}

class MpnetEncoder final : public TransformerEncoder {
public:
    MpnetEncoder(const EncoderConfig& c, WeightSource& w, const Placement& p) : config_(c) {
        const auto h = c.hidden_size;
        if (c.relative_attention_buckets < kBuckets)
            throw Error(c.origin + ": relative_attention_num_buckets is " +
                        std::to_string(c.relative_attention_buckets) + " but MPNet uses 32 buckets; "
                        "re-download the file from the model's repository");
        word_ = take(w, "embeddings.word_embeddings.weight", {c.vocab_size, h}, p);
        position_ = take(w, "embeddings.position_embeddings.weight", {c.max_positions, h}, p);
        norm_ = take_norm(w, "embeddings.LayerNorm", h, p);
        relative_bias_ =
            take(w, "encoder.relative_attention_bias.weight", {c.relative_attention_buckets, c.num_heads}, p);
        for (std::int64_t i = 0; i < c.num_layers; ++i) {
            const std::string l = "encoder.layer." + std::to_string(i) + ".";
            layers_.push_back(take_layer(w,
                                         {l + "attention.attn.q", l + "attention.attn.k", l + "attention.attn.v",
                                          l + "attention.attn.o", l + "attention.LayerNorm", l + "intermediate.dense",
                                          l + "output.dense", l + "output.LayerNorm"},
                                         c, p));
        }
        // Positions run up to max_positions - 1 - padding_idx tokens; every
        // sequence's buckets are a corner of this table.
        buckets_ = relative_buckets(std::max<std::int64_t>(c.max_positions - kPaddingIdx - 1, 1)).to(p.device);
    }

    at::Tensor forward(const at::Tensor& ids, const at::Tensor& mask) const override {
        const auto length = ids.size(1);
        if (length > buckets_.size(0))
            throw Error(config_.origin + ": a text of " + std::to_string(length) + " tokens exceeds the model's " +
                        std::to_string(buckets_.size(0)) + " positions; lower max_seq_length");
        // create_position_ids_from_input_ids: padding keeps padding_idx,
        // tokens count up from padding_idx + 1.
        const auto not_pad = ids.ne(kPaddingIdx).to(at::kLong);
        const auto positions = at::cumsum(not_pad, 1).mul_(not_pad).add_(kPaddingIdx);
        auto x = at::embedding(word_, ids).add_(at::embedding(position_, positions));
        x = layer_norm(x, norm_, config_.layer_norm_eps);
        // [1, heads, length, length] + [batch, 1, 1, length]
        const auto buckets = buckets_.slice(0, 0, length).slice(1, 0, length);
        const auto position_bias = at::embedding(relative_bias_, buckets).permute({2, 0, 1}).unsqueeze(0);
        return run_layers(layers_, config_, x, position_bias + padding_bias(mask, x.scalar_type()));
    }

private:
    EncoderConfig config_;
    at::Tensor word_, position_, relative_bias_, buckets_;
    Norm norm_;
    std::vector<EncoderLayer> layers_;
};

}  // namespace

std::unique_ptr<TransformerEncoder> make_mpnet_encoder(const EncoderConfig& config, WeightSource& weights,
                                                       const Placement& placement) {
    return std::make_unique<MpnetEncoder>(config, weights, placement);
}

}  // namespace distill::embed
