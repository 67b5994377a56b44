#include "embed/model_dir.h"

#include <filesystem>
#include <fstream>
#include <optional>

#include "distill/error.h"
#include "embed/json_file.h"

namespace distill::embed {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kLayout =
    "a sentence-transformers model directory as downloaded from the Hugging Face hub holds modules.json, "
    "config.json, model.safetensors, tokenizer.json, 1_Pooling/config.json and optionally 2_Normalize";

std::string in_dir(const std::string& dir, const std::string& name) { return (fs::path(dir) / name).string(); }

void require_file(const std::string& path, const std::string& what) {
    if (!fs::is_regular_file(path))
        throw Error(located_message(path, 0, "is missing (" + what + ")", kLayout));
}

// "sentence_transformers.models.Pooling" and
// "sentence_transformers.sentence_transformer.modules.pooling.Pooling" are
// the same module: versions moved the classes, the last component stays.
std::string last_component(const std::string& type) {
    const auto dot = type.rfind('.');
    return dot == std::string::npos ? type : type.substr(dot + 1);
}

std::optional<Pooling> pooling_from_name(const std::string& name) {
    if (name == "cls" || name == "cls_token") return Pooling::Cls;
    if (name == "mean" || name == "mean_tokens") return Pooling::Mean;
    if (name == "max" || name == "max_tokens") return Pooling::Max;
    return std::nullopt;
}

struct PoolingConfig {
    Pooling mode = Pooling::Mean;
    bool include_prompt = true;
};

// The Pooling module's config.json: sentence-transformers 6 writes
// "pooling_mode": "mean"; older versions one boolean per mode
// ("pooling_mode_mean_tokens": true). At most one supported mode may be on;
// none on, or no mode key at all, is mean, as sentence-transformers reads it.
PoolingConfig read_pooling(const std::string& path) {
    require_file(path, "the Pooling module's settings");
    const JsonFile file(path);
    PoolingConfig config;
    config.include_prompt = file.bool_at(file.root(), "", "include_prompt", true);
    const std::string supported = "Distill Studio pools with cls, mean or max (one of them)";
    if (const json* mode = JsonFile::member(file.root(), "pooling_mode")) {
        const json* name = mode;
        if (mode->is_array() && mode->size() == 1) name = &(*mode)[0];
        if (name->is_string())
            if (const auto pooling = pooling_from_name(name->get<std::string>())) {
                config.mode = *pooling;
                return config;
            }
        fail(path, "pooling_mode", "is " + shown(*mode) + ", which is not supported", supported);
    }
    std::vector<std::pair<std::string, Pooling>> on;
    for (const auto& [key, value] : file.root().items()) {
        if (!key.starts_with("pooling_mode_") || !value.is_boolean() || !value.get<bool>()) continue;
        const auto pooling = pooling_from_name(key.substr(std::string("pooling_mode_").size()));
        if (!pooling) fail(path, key, "is true, a pooling mode that is not supported", supported);
        on.emplace_back(key, *pooling);
    }
    if (on.size() > 1) fail(path, "the pooling_mode_* keys", "turn several modes on", supported);
    if (!on.empty()) config.mode = on.front().second;
    return config;
}

}  // namespace

const char* pooling_name(Pooling pooling) {
    switch (pooling) {
        case Pooling::Cls: return "cls";
        case Pooling::Mean: return "mean";
        case Pooling::Max: return "max";
    }
    return "?";
}

EncoderConfig EncoderConfig::read(const std::string& config_json) {
    require_file(config_json, "the encoder's configuration");
    const JsonFile file(config_json);
    const json& root = file.root();
    EncoderConfig c;
    c.origin = config_json;
    const std::string model_type = file.string_at(root, "", "model_type", "");
    if (model_type == "bert") {
        c.architecture = Architecture::Bert;
    } else if (model_type == "mpnet") {
        c.architecture = Architecture::Mpnet;
    } else {
        fail(config_json, "model_type", "is " + shown(json(model_type)) + ", an architecture that is not supported",
             "Distill Studio runs BERT encoders (MiniLM, bge, e5, gte) and MPNet (all-mpnet-base-v2); "
             "pick such a model or import vectors with npy:PATH");
    }
    const auto required = [&](const char* key) {
        const std::int64_t v = file.int_at(root, "", key, -1, 1);
        if (v < 0) fail(config_json, key, "is missing", "re-download the file from the model's repository");
        return v;
    };
    c.vocab_size = required("vocab_size");
    c.hidden_size = required("hidden_size");
    c.num_layers = required("num_hidden_layers");
    c.num_heads = required("num_attention_heads");
    c.intermediate_size = required("intermediate_size");
    c.max_positions = required("max_position_embeddings");
    c.layer_norm_eps = file.number_at(root, "", "layer_norm_eps", 1e-12);
    if (c.hidden_size % c.num_heads != 0)
        fail(config_json, "hidden_size", "is not a multiple of num_attention_heads",
             "re-download the file from the model's repository");
    if (c.architecture == Architecture::Bert) {
        c.type_vocab_size = file.int_at(root, "", "type_vocab_size", 2, 1);
        const std::string positions = file.string_at(root, "", "position_embedding_type", "absolute");
        if (positions != "absolute")
            fail(config_json, "position_embedding_type", "is " + shown(json(positions)) + ", which is not supported",
                 "Distill Studio runs BERT with absolute position embeddings");
    } else {
        c.relative_attention_buckets = file.int_at(root, "", "relative_attention_num_buckets", 32, 1);
    }
    const std::string act = file.string_at(root, "", "hidden_act", "gelu");
    if (act == "gelu") {
        c.activation = Activation::Gelu;
    } else if (act == "gelu_new" || act == "gelu_pytorch_tanh") {
        c.activation = Activation::GeluTanh;
    } else if (act == "relu") {
        c.activation = Activation::Relu;
    } else {
        fail(config_json, "hidden_act", "is " + shown(json(act)) + ", which is not supported",
             "Distill Studio supports gelu, gelu_new, gelu_pytorch_tanh and relu");
    }
    return c;
}

EncoderConfig EncoderConfig::mpnet_base() {
    EncoderConfig c;
    c.architecture = Architecture::Mpnet;
    c.vocab_size = 30527;
    c.hidden_size = 768;
    c.num_layers = 12;
    c.num_heads = 12;
    c.intermediate_size = 3072;
    c.max_positions = 514;
    c.relative_attention_buckets = 32;
    c.layer_norm_eps = 1e-5;
    c.origin = "built-in MPNet-base shape";
    return c;
}

ModelDir ModelDir::read(const std::string& dir) {
    if (!fs::is_directory(dir)) throw Error(located_message(dir, 0, "is not a directory", kLayout));
    ModelDir m;
    m.dir = dir;
    const std::string modules_path = in_dir(dir, "modules.json");
    require_file(modules_path, "the list of the model's modules");
    std::optional<PoolingConfig> pooling;
    std::optional<std::string> transformer_dir;
    {
        const std::string fix = "re-download the file from the model's repository";
        // modules.json is a JSON array, which JsonFile (objects) does not read.
        std::ifstream in(modules_path, std::ios::binary);
        json modules;
        try {
            modules = json::parse(in);
        } catch (const json::parse_error& e) {
            throw Error(located_message(modules_path, 0, std::string("is not valid JSON (") + e.what() + ")", fix));
        }
        if (!modules.is_array()) fail(modules_path, "the top level", "is " + shown(modules) + ", not an array", fix);
        for (std::size_t i = 0; i < modules.size(); ++i) {
            const json& module = modules[i];
            const std::string where = "[" + std::to_string(i) + "]";
            if (!module.is_object() || !module.contains("type") || !module["type"].is_string())
                fail(modules_path, where, "is not an object with a \"type\" string", fix);
            const std::string path = module.value("path", std::string());
            const std::string type = last_component(module["type"].get<std::string>());
            if (type == "Transformer" && !transformer_dir) {
                transformer_dir = path.empty() ? dir : in_dir(dir, path);
            } else if (type == "Pooling" && !pooling) {
                const std::string config = in_dir(in_dir(dir, path), "config.json");
                pooling = read_pooling(config);
                m.content_files.push_back(config);
            } else if (type == "Normalize") {
                m.normalize = true;
            } else {
                fail(modules_path, where + ".type",
                     "is " + shown(module["type"]) + ", a module Distill Studio does not run",
                     "supported pipelines are Transformer, Pooling and an optional Normalize");
            }
        }
        if (!transformer_dir) fail(modules_path, "the module list", "has no Transformer module", kLayout);
        if (!pooling) fail(modules_path, "the module list", "has no Pooling module", kLayout);
    }
    m.transformer_dir = *transformer_dir;
    m.pooling = pooling->mode;
    m.pool_prompt = pooling->include_prompt;
    m.prompt = default_prompt(dir);  // a name missing from the prompts fails here, before any weight is read
    m.encoder = EncoderConfig::read(in_dir(m.transformer_dir, "config.json"));
    const std::string weights = m.weights_path();
    if (!fs::is_regular_file(weights)) {
        const bool has_bin = fs::exists(in_dir(m.transformer_dir, "pytorch_model.bin"));
        throw Error(located_message(
            weights, 0, "is missing (the encoder's weights)",
            has_bin ? "Distill Studio reads safetensors only: convert pytorch_model.bin, e.g. with "
                      "SentenceTransformer(dir).save(dir, safe_serialization=True)"
                    : kLayout));
    }
    require_file(in_dir(m.transformer_dir, "tokenizer.json"), "the tokenizer");
    m.content_files.push_back(modules_path);
    for (const char* name : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                             "sentence_bert_config.json"})
        if (const std::string path = in_dir(m.transformer_dir, name); fs::exists(path)) m.content_files.push_back(path);
    return m;
}

std::string ModelDir::weights_path() const { return in_dir(transformer_dir, "model.safetensors"); }

std::string transformer_folder(const std::string& dir) {
    std::ifstream in(in_dir(dir, "modules.json"), std::ios::binary);
    if (!in) return dir;
    const json modules = json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (modules.is_array())
        for (const json& module : modules)
            if (module.is_object() && module.value("type", json()).is_string() &&
                last_component(module["type"].get<std::string>()) == "Transformer") {
                const json path = module.value("path", json());
                return path.is_string() && !path.get<std::string>().empty() ? in_dir(dir, path.get<std::string>())
                                                                             : dir;
            }
    return dir;
}

std::string default_prompt(const std::string& dir) {
    const std::string path = in_dir(dir, "config_sentence_transformers.json");
    if (!fs::exists(path)) return "";
    const JsonFile file(path);
    const std::string name = file.string_at(file.root(), "", "default_prompt_name", "");
    if (name.empty()) return "";
    const json* prompts = JsonFile::member(file.root(), "prompts");
    const json* prompt = prompts && prompts->is_object() ? JsonFile::member(*prompts, name.c_str()) : nullptr;
    if (!prompt || !prompt->is_string())
        fail(path, "prompts", "has no prompt named " + shown(json(name)) + " (default_prompt_name)",
             "add it to \"prompts\" or set default_prompt_name to null");
    return prompt->get<std::string>();
}

}  // namespace distill::embed
