#pragma once
// What a sentence-transformers model directory says, read and checked
// before any weight is loaded: the encoder's shape (config.json) and the
// modules after it (modules.json, the Pooling module's config.json, an
// optional Normalize). Plain data, no libtorch.
#include <cstdint>
#include <string>
#include <vector>

namespace distill::embed {

enum class Architecture { Bert, Mpnet };
enum class Activation { Gelu, GeluTanh, Relu };
enum class Pooling { Cls, Mean, Max };

const char* pooling_name(Pooling pooling);

// config.json of a Hugging Face BERT or MPNet checkpoint.
struct EncoderConfig {
    Architecture architecture = Architecture::Bert;
    std::int64_t vocab_size = 0;
    std::int64_t hidden_size = 0;
    std::int64_t num_layers = 0;
    std::int64_t num_heads = 0;
    std::int64_t intermediate_size = 0;
    std::int64_t max_positions = 0;
    std::int64_t type_vocab_size = 0;               // BERT's token type embeddings; 0 for MPNet
    std::int64_t relative_attention_buckets = 0;    // MPNet's relative position bias table
    double layer_norm_eps = 1e-12;
    Activation activation = Activation::Gelu;
    std::string origin;                             // the config.json read, for messages

    // Throws distill::Error naming the file and the key at fault, and an
    // unsupported model_type, hidden_act or position_embedding_type.
    static EncoderConfig read(const std::string& config_json);
    // all-mpnet-base-v2's shape (what SPEC §8's figures were measured with).
    static EncoderConfig mpnet_base();
};

struct ModelDir {
    std::string dir;                      // as the user gave it
    std::string transformer_dir;          // config.json, model.safetensors, tokenizer.json
    EncoderConfig encoder;
    Pooling pooling = Pooling::Mean;
    // The Pooling module's include_prompt: false leaves the tokens of the
    // default prompt (default_prompt) out of the pooling, as INSTRUCTOR-style
    // models want.
    bool pool_prompt = true;
    // default_prompt(dir): part of the identity rather than its file, whose
    // other keys (versions) do not change the vectors.
    std::string prompt;
    bool normalize = false;
    // Every file whose content decides the vectors: hashed into the
    // embedder's identity.
    std::vector<std::string> content_files;

    // Throws distill::Error naming the missing or unsupported file and what
    // a sentence-transformers directory contains.
    static ModelDir read(const std::string& dir);
    std::string weights_path() const;     // model.safetensors
};

// The folder of a model directory's Transformer module, where tokenizer.json
// and config.json are: modules.json's path for it (older models keep it in
// 0_Transformer/); the directory itself without modules.json or a path.
// Lenient: ModelDir::read is what reports a malformed modules.json.
std::string transformer_folder(const std::string& dir);

// The prompt sentence-transformers puts before every text it encodes when
// none is asked for: prompts[default_prompt_name] of the directory's
// config_sentence_transformers.json (e5-, bge- and INSTRUCTOR-style models
// set one); empty when the file or the name is absent. Throws
// distill::Error when the name is not among the prompts.
std::string default_prompt(const std::string& dir);

}  // namespace distill::embed
