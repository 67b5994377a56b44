#pragma once
// What BERT and MPNet share: a stack of post-LayerNorm transformer layers
// (self-attention, residual, LayerNorm, feed-forward, residual, LayerNorm)
// that differ only in their weight names and in the attention bias
// (padding alone for BERT, plus relative positions for MPNet).
#include <string>
#include <vector>

#include "distill/error.h"
#include "embed/encoder_torch.h"

namespace distill::embed {

struct Linear {
    at::Tensor weight, bias;
};
struct Norm {
    at::Tensor weight, bias;
};

// Checkpoint names of one layer's parts, without ".weight" / ".bias".
struct LayerNames {
    std::string query, key, value, attention_output, attention_norm, intermediate, output, output_norm;
};

struct EncoderLayer {
    Linear query, key, value, attention_output;
    Norm attention_norm;
    Linear intermediate, output;
    Norm output_norm;
};

// Each takes the weight from `weights`, moved to the placement.
at::Tensor take(WeightSource& weights, const std::string& name, at::IntArrayRef shape, const Placement& placement);
Linear take_linear(WeightSource& weights, const std::string& name, std::int64_t out, std::int64_t in,
                   const Placement& placement);
Norm take_norm(WeightSource& weights, const std::string& name, std::int64_t size, const Placement& placement);
EncoderLayer take_layer(WeightSource& weights, const LayerNames& names, const EncoderConfig& config,
                        const Placement& placement);

at::Tensor layer_norm(const at::Tensor& x, const Norm& norm, double eps);

// The additive attention mask transformers builds: 0 for a token, the
// dtype's lowest value for padding; [batch, 1, 1, length].
at::Tensor padding_bias(const at::Tensor& mask, at::ScalarType dtype);

// `bias` is added to every head's attention scores; it broadcasts to
// [batch, heads, length, length].
at::Tensor run_layers(const std::vector<EncoderLayer>& layers, const EncoderConfig& config, at::Tensor hidden,
                      const at::Tensor& bias);

std::unique_ptr<TransformerEncoder> make_bert_encoder(const EncoderConfig& config, WeightSource& weights,
                                                      const Placement& placement);
std::unique_ptr<TransformerEncoder> make_mpnet_encoder(const EncoderConfig& config, WeightSource& weights,
                                                       const Placement& placement);

}  // namespace distill::embed
