// The shared machinery of the BERT and MPNet encoders: weights, placement,
// the transformer layer stack and the batched, pooled SentenceEncoder.
#include "embed/encoder_torch.h"

#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/InferenceMode.h>
#include <torch/version.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "distill/error.h"
#include "embed/encoder_layers_torch.h"

namespace distill::embed {
namespace {

std::string shape_text(at::IntArrayRef shape) {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::string shape_text(const std::vector<std::int64_t>& shape) { return shape_text(at::IntArrayRef(shape)); }

at::ScalarType scalar_type(TensorDtype dtype) {
    switch (dtype) {
        case TensorDtype::F64: return at::kDouble;
        case TensorDtype::F32: return at::kFloat;
        case TensorDtype::F16: return at::kHalf;
        case TensorDtype::BF16: return at::kBFloat16;
        default: return at::ScalarType::Undefined;
    }
}

// Padded tokens one batch may hold per question of --batch-size: batches of
// short questions get batch-size rows, batches of long texts fewer, so
// memory stays bounded by the batch size whatever the lengths.
constexpr std::size_t kTokensPerQuestion = 64;

}  // namespace

at::Tensor CheckpointWeights::take(const std::string& name, at::IntArrayRef shape) {
    const TensorView* view = file_.find(name);
    std::string found = name;
    if (!view) view = file_.find(found = prefix_ + name);
    if (!view)
        throw Error(file_.path() + ": has no weight \"" + name + "\" (nor \"" + prefix_ + name +
                    "\"); is this checkpoint the model that config.json describes? Re-download the model");
    if (!std::equal(view->shape.begin(), view->shape.end(), shape.begin(), shape.end()))
        throw Error(file_.path() + ": weight \"" + found + "\" has shape " + shape_text(view->shape) + " but " +
                    "config.json implies " + shape_text(shape) + "; config.json and the weights do not match");
    const auto type = scalar_type(view->dtype);
    if (type == at::ScalarType::Undefined)
        throw Error(file_.path() + ": weight \"" + found + "\" is " + dtype_name(view->dtype) +
                    ", not a floating-point type (F32, F16, BF16)");
    // A copy rather than from_blob: the mapped bytes need not be aligned
    // for the dtype, and the tensor must outlive the mapping.
    at::Tensor raw = at::empty(shape, at::TensorOptions().dtype(type));
    std::memcpy(raw.data_ptr(), view->bytes.data(), view->bytes.size());
    return raw.to(at::kFloat);
}

RandomWeights::RandomWeights(std::uint64_t seed) : generator_(at::detail::createCPUGenerator(seed)) {}

at::Tensor RandomWeights::take(const std::string& name, at::IntArrayRef shape) {
    const bool norm = name.find("LayerNorm") != std::string::npos;
    if (norm) return name.ends_with(".weight") ? at::ones(shape) : at::zeros(shape);
    return at::empty(shape).normal_(0.0, 0.02, generator_);
}

Placement resolve_placement(const std::string& device, const std::string& dtype) {
    Placement p;
    const bool has_cuda = at::hasCUDA();
    if (device == "cuda" || (device == "auto" && has_cuda)) {
        if (!has_cuda)
            throw Error("--device cuda: no CUDA device is available to this libtorch " + std::string(TORCH_VERSION) +
                        " (a CPU-only build, or no GPU visible); use --device cpu, or build against a CUDA "
                        "libtorch on a GPU machine");
        p.device = at::Device(at::kCUDA, 0);
    } else if (device != "cpu" && device != "auto") {
        throw Error("--device " + device + ": expected auto, cpu or cuda");
    }
    if (dtype == "fp16" || dtype == "bf16") {
        if (!p.device.is_cuda())
            throw Error("--dtype " + dtype + " needs a CUDA device (half precision on the CPU is slower than fp32 "
                        "and less exact); use --dtype fp32 on the CPU");
        p.dtype = dtype == "fp16" ? at::kHalf : at::kBFloat16;
    } else if (dtype != "fp32") {
        throw Error("--dtype " + dtype + ": expected fp32, fp16 or bf16");
    }
    return p;
}

std::string placement_name(const Placement& placement) {
    const char* dtype = placement.dtype == at::kHalf ? "fp16" : placement.dtype == at::kBFloat16 ? "bf16" : "fp32";
    return placement.device.str() + " " + dtype;
}

int default_batch_size(const Placement& placement) { return placement.device.is_cuda() ? 256 : 64; }

at::Tensor take(WeightSource& weights, const std::string& name, at::IntArrayRef shape, const Placement& placement) {
    return weights.take(name, shape).to(placement.device, placement.dtype).contiguous();
}

Linear take_linear(WeightSource& weights, const std::string& name, std::int64_t out, std::int64_t in,
                   const Placement& placement) {
    return {take(weights, name + ".weight", {out, in}, placement), take(weights, name + ".bias", {out}, placement)};
}

Norm take_norm(WeightSource& weights, const std::string& name, std::int64_t size, const Placement& placement) {
    return {take(weights, name + ".weight", {size}, placement), take(weights, name + ".bias", {size}, placement)};
}

EncoderLayer take_layer(WeightSource& weights, const LayerNames& names, const EncoderConfig& c,
                        const Placement& placement) {
    const auto h = c.hidden_size, ff = c.intermediate_size;
    EncoderLayer layer;
    layer.query = take_linear(weights, names.query, h, h, placement);
    layer.key = take_linear(weights, names.key, h, h, placement);
    layer.value = take_linear(weights, names.value, h, h, placement);
    layer.attention_output = take_linear(weights, names.attention_output, h, h, placement);
    layer.attention_norm = take_norm(weights, names.attention_norm, h, placement);
    layer.intermediate = take_linear(weights, names.intermediate, ff, h, placement);
    layer.output = take_linear(weights, names.output, h, ff, placement);
    layer.output_norm = take_norm(weights, names.output_norm, h, placement);
    return layer;
}

at::Tensor layer_norm(const at::Tensor& x, const Norm& norm, double eps) {
    return at::layer_norm(x, {x.size(-1)}, norm.weight, norm.bias, eps);
}

at::Tensor padding_bias(const at::Tensor& mask, at::ScalarType dtype) {
    const double lowest = dtype == at::kHalf       ? -65504.0
                          : dtype == at::kBFloat16 ? -3.3895313892515355e38
                                                   : double(std::numeric_limits<float>::lowest());
    return at::zeros({mask.size(0), 1, 1, mask.size(1)}, mask.options().dtype(dtype))
        .masked_fill_(mask.eq(0).view({mask.size(0), 1, 1, mask.size(1)}), lowest);
}

at::Tensor run_layers(const std::vector<EncoderLayer>& layers, const EncoderConfig& c, at::Tensor hidden,
                      const at::Tensor& bias) {
    const auto batch = hidden.size(0), length = hidden.size(1);
    const auto heads = c.num_heads, head_size = c.hidden_size / c.num_heads;
    const auto split_heads = [&](const at::Tensor& x) {
        return x.view({batch, length, heads, head_size}).transpose(1, 2);
    };
    for (const EncoderLayer& layer : layers) {
        const auto q = split_heads(at::linear(hidden, layer.query.weight, layer.query.bias));
        const auto k = split_heads(at::linear(hidden, layer.key.weight, layer.key.bias));
        const auto v = split_heads(at::linear(hidden, layer.value.weight, layer.value.bias));
#if TORCH_VERSION_MAJOR >= 2
        // The fused kernels (flash / memory-efficient on CUDA) with the same
        // additive bias; the math is transformers' eager attention.
        auto context = at::scaled_dot_product_attention(q, k, v, bias);
#else
        auto scores = at::matmul(q, k.transpose(-1, -2)).div_(std::sqrt(double(head_size))).add_(bias);
        auto context = at::matmul(at::softmax(scores, -1), v);
#endif
        context = context.transpose(1, 2).reshape({batch, length, c.hidden_size});
        const auto attended = at::linear(context, layer.attention_output.weight, layer.attention_output.bias);
        hidden = layer_norm(attended.add_(hidden), layer.attention_norm, c.layer_norm_eps);
        auto inner = at::linear(hidden, layer.intermediate.weight, layer.intermediate.bias);
        switch (c.activation) {
            case Activation::Gelu: inner = at::gelu(inner); break;
            case Activation::GeluTanh: inner = at::gelu(inner, "tanh"); break;
            case Activation::Relu: inner = at::relu(inner); break;
        }
        const auto out = at::linear(inner, layer.output.weight, layer.output.bias);
        hidden = layer_norm(out.add_(hidden), layer.output_norm, c.layer_norm_eps);
    }
    return hidden;
}

std::unique_ptr<TransformerEncoder> make_encoder(const EncoderConfig& config, WeightSource& weights,
                                                 const Placement& placement) {
    switch (config.architecture) {
        case Architecture::Bert: return make_bert_encoder(config, weights, placement);
        case Architecture::Mpnet: return make_mpnet_encoder(config, weights, placement);
    }
    throw Error(config.origin + ": unknown architecture");
}

SentenceEncoder::SentenceEncoder(std::unique_ptr<TransformerEncoder> encoder, std::int64_t hidden_size,
                                 Pooling pooling, bool normalize, Placement placement, std::int32_t pad_id,
                                 int batch_size, std::int64_t unpooled)
    : encoder_(std::move(encoder)),
      hidden_size_(hidden_size),
      pooling_(pooling),
      normalize_(normalize),
      placement_(placement),
      pad_id_(pad_id),
      batch_size_(batch_size > 0 ? batch_size : default_batch_size(placement)),
      unpooled_(unpooled) {}

// sentence-transformers' Pooling module, in float32 whatever the model's
// dtype: a mean over 384 half-precision tokens loses digits. `mask` is the
// pooling mask: the attention mask less the unpooled prompt positions.
at::Tensor SentenceEncoder::pool(const at::Tensor& hidden, const at::Tensor& mask) const {
    const auto tokens = hidden.to(at::kFloat);
    switch (pooling_) {
        case Pooling::Cls:
            // sentence-transformers 6 takes the first pooled position: the
            // first token, or the first after an unpooled prompt.
            if (unpooled_ == 0) return tokens.select(1, 0);
            return tokens.gather(1, mask.argmax(1).view({-1, 1, 1}).expand({-1, 1, tokens.size(2)})).squeeze(1);
        case Pooling::Mean: {
            const auto weights = mask.unsqueeze(-1).to(at::kFloat);
            return (tokens * weights).sum(1) / weights.sum(1).clamp_min(1e-9);
        }
        case Pooling::Max: return tokens.masked_fill(mask.unsqueeze(-1).eq(0), -1e9).amax(1);
    }
    return tokens.select(1, 0);
}

Matrix SentenceEncoder::encode(const TokenRows& rows, ProgressSink* progress) const {
    c10::InferenceMode inference;
    const std::size_t n = rows.rows();
    Matrix out(n, static_cast<std::size_t>(hidden_size_));
    // Longest first, so each batch pads to a length close to its rows' own;
    // and a batch too large for memory fails at the start, not the end.
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return rows.length(a) > rows.length(b); });
    const std::size_t budget = std::size_t(batch_size_) * kTokensPerQuestion;
    const bool cuda = placement_.device.is_cuda();
    const auto host = at::TensorOptions().dtype(at::kLong).pinned_memory(cuda);
    for (std::size_t first = 0; first < n;) {
        throw_if_cancelled(progress);
        const std::size_t width = std::max<std::size_t>(rows.length(order[first]), 1);
        const std::size_t count =
            std::min({std::size_t(batch_size_), n - first, std::max<std::size_t>(1, budget / width)});
        auto ids = at::full({std::int64_t(count), std::int64_t(width)}, pad_id_, host);
        auto mask = at::zeros({std::int64_t(count), std::int64_t(width)}, host);
        std::int64_t* id_out = ids.data_ptr<std::int64_t>();
        std::int64_t* mask_out = mask.data_ptr<std::int64_t>();
        for (std::size_t r = 0; r < count; ++r) {
            const std::size_t row = order[first + r];
            const std::int32_t* src = rows.ids.data() + rows.offsets[row];
            std::copy(src, src + rows.length(row), id_out + r * width);
            std::fill_n(mask_out + r * width, rows.length(row), 1);
        }
        const auto device_ids = ids.to(placement_.device, /*non_blocking=*/cuda);
        const auto device_mask = mask.to(placement_.device, /*non_blocking=*/cuda);
        auto pool_mask = device_mask;
        if (unpooled_ > 0) {
            pool_mask = device_mask.clone();
            pool_mask.narrow(1, 0, std::min<std::int64_t>(unpooled_, std::int64_t(width))).zero_();
        }
        auto pooled = pool(encoder_->forward(device_ids, device_mask), pool_mask);
        // sentence-transformers' Normalize: x / max(|x|, 1e-12).
        if (normalize_) pooled = pooled / pooled.norm(2, 1, /*keepdim=*/true).clamp_min(1e-12);
        const auto result = pooled.to(at::kCPU).contiguous();
        const float* values = result.data_ptr<float>();
        for (std::size_t r = 0; r < count; ++r)
            std::copy_n(values + r * hidden_size_, hidden_size_, out.row(order[first + r]).data());
        first += count;
        if (progress) progress->update("embedding", first, n);
    }
    return out;
}

}  // namespace distill::embed
