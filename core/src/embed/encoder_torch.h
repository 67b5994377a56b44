#pragma once
// The libtorch side of the embedding stage: BERT and MPNet encoders built
// from a config and a source of weights, and the SentenceEncoder that runs
// one over token ids, pools and normalises as sentence-transformers does.
// Included only by *_torch.cpp files (ARCHITECTURE.md rule 1: libtorch stays
// behind core's plain-C++ headers).
#include <ATen/ATen.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "distill/matrix.h"
#include "distill/progress.h"
#include "distill/safetensors.h"
#include "distill/text_tokenizer.h"
#include "embed/model_dir.h"

namespace distill::embed {

// Where an encoder's weights come from, so the model code does not care
// whether they are a downloaded checkpoint or random values for a benchmark.
class WeightSource {
public:
    virtual ~WeightSource() = default;
    // The weight named as in Hugging Face checkpoints without the model
    // prefix ("encoder.layer.0.attention.self.query.weight"), float32 on the
    // CPU; throws distill::Error when it is absent or has another shape.
    virtual at::Tensor take(const std::string& name, at::IntArrayRef shape) = 0;
};

// A .safetensors checkpoint; names are looked up as given and with the
// "bert." / "mpnet." prefix a pre-trained model's checkpoint carries.
class CheckpointWeights final : public WeightSource {
public:
    CheckpointWeights(const SafetensorsFile& file, std::string prefix) : file_(file), prefix_(std::move(prefix)) {}
    at::Tensor take(const std::string& name, at::IntArrayRef shape) override;

private:
    const SafetensorsFile& file_;
    std::string prefix_;
};

// Normal(0, 0.02) weights, LayerNorm at identity, as transformers
// initialises a fresh model: deterministic in the seed.
class RandomWeights final : public WeightSource {
public:
    explicit RandomWeights(std::uint64_t seed);
    at::Tensor take(const std::string& name, at::IntArrayRef shape) override;

private:
    at::Generator generator_;
};

// Where and in what precision the model runs.
struct Placement {
    at::Device device = at::kCPU;
    at::ScalarType dtype = at::kFloat;
};

// "auto" / "cpu" / "cuda" and "fp32" / "fp16" / "bf16" to a Placement;
// throws distill::Error for CUDA without a CUDA device, and for half
// precision on the CPU.
Placement resolve_placement(const std::string& device, const std::string& dtype);
std::string placement_name(const Placement& placement);  // "cuda:0 fp16"

// A BERT or MPNet encoder: last_hidden_state as transformers computes it.
class TransformerEncoder {
public:
    // `ids` and `mask` are int64 [batch, length] on the model's device;
    // returns [batch, length, hidden] in the model's dtype.
    virtual at::Tensor forward(const at::Tensor& ids, const at::Tensor& mask) const = 0;
    virtual ~TransformerEncoder() = default;
};

std::unique_ptr<TransformerEncoder> make_encoder(const EncoderConfig& config, WeightSource& weights,
                                                 const Placement& placement);

// Token ids of many texts in one flat buffer: row i is
// ids[offsets[i] .. offsets[i + 1]).
struct TokenRows {
    std::vector<std::int32_t> ids;
    std::vector<std::size_t> offsets{0};
    std::size_t rows() const { return offsets.size() - 1; }
    std::size_t length(std::size_t row) const { return offsets[row + 1] - offsets[row]; }
};

// An encoder with its pooling and optional normalisation, run over many rows
// of ids in batches of similar length. On the CPU it uses libtorch's own
// intra-op pool (one thread per physical core; OMP_NUM_THREADS overrides)
// and OpenBLAS's threads for the matmuls. Raising the pool to every logical
// CPU was measured slower on the 2-vCPU build machine (18 against 22
// questions/s for MPNet-base; once 20x slower with other processes busy):
// OpenMP workers spin against OpenBLAS's threads. Clustering, search and
// k-means raise it on their own thread only while they run
// (cluster/cpu_threads.h).
class SentenceEncoder {
public:
    // The first `unpooled` positions of each row (a prompt the Pooling
    // module's include_prompt leaves out) are attended to but not pooled.
    SentenceEncoder(std::unique_ptr<TransformerEncoder> encoder, std::int64_t hidden_size, Pooling pooling,
                    bool normalize, Placement placement, std::int32_t pad_id, int batch_size,
                    std::int64_t unpooled = 0);
    // One float32 row per input row, in input order.
    Matrix encode(const TokenRows& rows, ProgressSink* progress) const;
    const Placement& placement() const { return placement_; }
    int batch_size() const { return batch_size_; }

private:
    at::Tensor pool(const at::Tensor& hidden, const at::Tensor& mask) const;

    std::unique_ptr<TransformerEncoder> encoder_;
    std::int64_t hidden_size_;
    Pooling pooling_;
    bool normalize_;
    Placement placement_;
    std::int32_t pad_id_;
    int batch_size_;
    std::int64_t unpooled_;
};

// A model directory's encoder with its weights loaded onto the placement,
// padding and pooling as its tokenizer asks.
SentenceEncoder load_sentence_encoder(const ModelDir& model, const WordPieceTokenizer& tokenizer,
                                      const Placement& placement, int batch_size);

// The default questions per batch for a placement: what fills a GPU at
// half precision without running out of memory on long texts.
int default_batch_size(const Placement& placement);

}  // namespace distill::embed
