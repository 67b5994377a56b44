#pragma once
// The LLM's tokenizer: a sentencepiece tokenizer.model (Llama-2, Mistral)
// with lit-gpt's Tokenizer.encode semantics. sentencepiece itself lives in
// libdistill_spm, loaded in isolation (see src/tokenize/spm_module.h).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace distill {

struct SpmModule;  // the loaded libdistill_spm; internal

class SentencePieceTokenizer {
public:
    // Throws distill::Error naming the file when it is missing or is not a
    // sentencepiece model, or when the isolation module cannot be loaded.
    explicit SentencePieceTokenizer(const std::string& model_path);
    ~SentencePieceTokenizer();
    SentencePieceTokenizer(const SentencePieceTokenizer&) = delete;
    SentencePieceTokenizer& operator=(const SentencePieceTokenizer&) = delete;

    // lit-gpt: the pieces of `text`, then BOS in front only when asked, EOS
    // at the end only when asked, then truncation to max_length when > 0
    // (which may cut the EOS, as lit-gpt's does).
    std::vector<std::int32_t> encode(std::string_view text, bool bos = false, bool eos = false,
                                     int max_length = -1) const;
    std::string decode(const std::vector<std::int32_t>& ids) const;
    std::string id_to_piece(std::int32_t id) const;
    std::int32_t piece_to_id(std::string_view piece) const;

    std::int32_t bos_id() const;
    std::int32_t eos_id() const;
    std::int32_t vocab_size() const;
    const std::string& model_path() const { return model_path_; }

private:
    std::shared_ptr<const SpmModule> module_;  // loaded once per process, never unloaded
    void* processor_ = nullptr;
    std::string model_path_;
};

// Where libdistill_spm is looked for: $DISTILL_SPM_MODULE, else
// <folder of the executable>/../<module dir>/libdistill_spm.so, which holds
// both in the build tree and in an installed tree.
std::string sentencepiece_module_path();

}  // namespace distill
