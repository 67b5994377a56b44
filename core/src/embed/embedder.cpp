#include "distill/embedder.h"

#include <filesystem>

#include "distill/content_hash.h"
#include "distill/error.h"
#include "distill/npy.h"
#include "embed/hashing_embedder.h"
#include "embed/sentence_embedder.h"

namespace distill {
namespace {

// Vectors computed elsewhere (SPEC §2): one row per question, in corpus order.
class NpyEmbedder final : public Embedder {
public:
    explicit NpyEmbedder(std::string path) : path_(std::move(path)) {}

    // The file's content hash, not its name: re-exporting different vectors
    // to the same path must invalidate what was cached from it.
    std::string identity() const override { return "npy/" + hash_file(path_); }

    Matrix embed(const std::vector<std::string>& texts, ProgressSink* progress) override {
        throw_if_cancelled(progress);
        Matrix m = read_npy(path_);
        if (m.rows != texts.size())
            throw Error(path_ + ": has " + std::to_string(m.rows) + " rows but there are " +
                        std::to_string(texts.size()) +
                        " questions; export one row per question, in the pooled corpus's order");
        return m;
    }

private:
    std::string path_;
};

}  // namespace

std::unique_ptr<Embedder> make_embedder(const std::string& spec, const EmbedOptions& options) {
    if (spec == "hashing") return std::make_unique<HashingEmbedder>();
    if (spec.rfind("npy:", 0) == 0) return std::make_unique<NpyEmbedder>(spec.substr(4));
    if (std::filesystem::is_directory(spec)) return embed::make_sentence_embedder(spec, options);
    throw Error("embedder '" + spec + "' is not one of: hashing, a sentence-transformers model directory, "
                "npy:PATH (is the directory path right?)");
}

}  // namespace distill
