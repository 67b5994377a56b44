#include "distill/llm_tokenizer.h"

#include <dlfcn.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <filesystem>

#include "distill/error.h"
#include "tokenize/spm_module.h"

namespace distill {
namespace fs = std::filesystem;

struct SpmModule {
    dspm_load_fn load = nullptr;
    dspm_free_fn free = nullptr;
    dspm_encode_fn encode = nullptr;
    dspm_decode_fn decode = nullptr;
    dspm_id_to_piece_fn id_to_piece = nullptr;
    dspm_piece_to_id_fn piece_to_id = nullptr;
    dspm_special_id_fn bos_id = nullptr;
    dspm_special_id_fn eos_id = nullptr;
    dspm_special_id_fn vocab_size = nullptr;
};

std::string sentencepiece_module_path() {
    if (const char* env = std::getenv("DISTILL_SPM_MODULE"); env && *env) return env;
    char exe[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    const fs::path exe_dir = n > 0 ? fs::path(std::string(exe, size_t(n))).parent_path() : fs::path(".");
    return (exe_dir / ".." / DISTILL_MODULE_DIR / "libdistill_spm.so").lexically_normal().string();
}

namespace {

template <class Fn>
Fn symbol(void* handle, const char* name, const std::string& path) {
    void* p = ::dlsym(handle, name);
    if (!p)
        throw Error(path + ": the sentencepiece module lacks " + name +
                    "; rebuild Distill Studio so the module matches the program");
    return reinterpret_cast<Fn>(p);
}

std::shared_ptr<const SpmModule> open_module() {
    const std::string path = sentencepiece_module_path();
    // RTLD_LOCAL keeps sentencepiece's protobuf-lite out of the global
    // namespace; RTLD_DEEPBIND makes the module resolve its own symbols
    // before libtorch's protobuf, which is already loaded. Without both the
    // process crashes in protobuf's static initialisers.
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!handle)
        throw Error(path + ": cannot load the sentencepiece module (" + std::string(::dlerror()) +
                    "); reinstall Distill Studio or set DISTILL_SPM_MODULE to libdistill_spm.so");
    if (symbol<dspm_abi_version_fn>(handle, "dspm_abi_version", path)() != DSPM_ABI_VERSION)
        throw Error(path + ": the sentencepiece module is from another build; rebuild Distill Studio");
    auto m = std::make_shared<SpmModule>();
    m->load = symbol<dspm_load_fn>(handle, "dspm_load", path);
    m->free = symbol<dspm_free_fn>(handle, "dspm_free", path);
    m->encode = symbol<dspm_encode_fn>(handle, "dspm_encode", path);
    m->decode = symbol<dspm_decode_fn>(handle, "dspm_decode", path);
    m->id_to_piece = symbol<dspm_id_to_piece_fn>(handle, "dspm_id_to_piece", path);
    m->piece_to_id = symbol<dspm_piece_to_id_fn>(handle, "dspm_piece_to_id", path);
    m->bos_id = symbol<dspm_special_id_fn>(handle, "dspm_bos_id", path);
    m->eos_id = symbol<dspm_special_id_fn>(handle, "dspm_eos_id", path);
    m->vocab_size = symbol<dspm_special_id_fn>(handle, "dspm_vocab_size", path);
    // The handle is never closed: unloading a library with protobuf statics
    // before exit is itself a known crash.
    return m;
}

// Loaded on first use; a failed load throws and is retried on the next call
// (a function-local static whose initialiser throws stays uninitialised).
std::shared_ptr<const SpmModule> shared_module() {
    static const std::shared_ptr<const SpmModule> module = open_module();
    return module;
}

}  // namespace

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& model_path)
    : model_path_(model_path) {
    module_ = shared_module();

    std::error_code ec;
    if (!fs::is_regular_file(model_path, ec))
        throw Error(model_path + ": no such tokenizer file; pass the LLM's sentencepiece "
                                 "tokenizer.model (installer/fetch-tokenizer.sh fetches Llama-2's)");
    char error[512] = {0};
    processor_ = module_->load(model_path.c_str(), error, sizeof error);
    if (!processor_)
        throw Error(model_path + ": not a sentencepiece model (" + error +
                    "); pass the LLM's tokenizer.model, not tokenizer.json or a weights file");
}

SentencePieceTokenizer::~SentencePieceTokenizer() {
    if (processor_) module_->free(static_cast<dspm_processor*>(processor_));
}

namespace {
// Calls a size-protocol function (see spm_module.h) until the buffer fits.
template <class T, class Call>
std::vector<T> grow_until_fits(size_t guess, Call call, const char* what) {
    std::vector<T> out(guess);
    for (;;) {
        const int64_t n = call(out.data(), out.size());
        if (n < 0) throw Error(std::string("sentencepiece failed to ") + what);
        if (size_t(n) <= out.size()) {
            out.resize(size_t(n));
            return out;
        }
        out.resize(size_t(n));
    }
}
}  // namespace

std::vector<std::int32_t> SentencePieceTokenizer::encode(std::string_view text, bool bos, bool eos,
                                                         int max_length) const {
    auto* p = static_cast<const dspm_processor*>(processor_);
    std::vector<std::int32_t> pieces = grow_until_fits<std::int32_t>(
        text.size() / 2 + 8,
        [&](std::int32_t* buf, size_t cap) { return module_->encode(p, text.data(), text.size(), buf, cap); },
        "encode");
    std::vector<std::int32_t> ids;
    ids.reserve(pieces.size() + 2);
    if (bos) ids.push_back(bos_id());
    ids.insert(ids.end(), pieces.begin(), pieces.end());
    if (eos) ids.push_back(eos_id());
    if (max_length > 0 && ids.size() > size_t(max_length)) ids.resize(size_t(max_length));
    return ids;
}

std::string SentencePieceTokenizer::decode(const std::vector<std::int32_t>& ids) const {
    auto* p = static_cast<const dspm_processor*>(processor_);
    auto bytes = grow_until_fits<char>(
        ids.size() * 4 + 16,
        [&](char* buf, size_t cap) { return module_->decode(p, ids.data(), ids.size(), buf, cap); },
        "decode");
    return std::string(bytes.begin(), bytes.end());
}

std::string SentencePieceTokenizer::id_to_piece(std::int32_t id) const {
    auto* p = static_cast<const dspm_processor*>(processor_);
    auto bytes = grow_until_fits<char>(
        32, [&](char* buf, size_t cap) { return module_->id_to_piece(p, id, buf, cap); },
        "look up a token id (out of range?)");
    return std::string(bytes.begin(), bytes.end());
}

std::int32_t SentencePieceTokenizer::piece_to_id(std::string_view piece) const {
    return module_->piece_to_id(static_cast<const dspm_processor*>(processor_), piece.data(), piece.size());
}

std::int32_t SentencePieceTokenizer::bos_id() const {
    return module_->bos_id(static_cast<const dspm_processor*>(processor_));
}
std::int32_t SentencePieceTokenizer::eos_id() const {
    return module_->eos_id(static_cast<const dspm_processor*>(processor_));
}
std::int32_t SentencePieceTokenizer::vocab_size() const {
    return module_->vocab_size(static_cast<const dspm_processor*>(processor_));
}

}  // namespace distill
