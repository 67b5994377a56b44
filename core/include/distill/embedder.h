#pragma once
// Embedding stage (SPEC §2): questions in, one float32 row per question out
// (unit length for the hashing embedder and for models with a Normalize
// module; imported vectors as they were saved). Implementations are chosen by a spec string, faiss-style:
//   "hashing"   the built-in lexical embedder: no weights, deterministic
//   DIR         a sentence-transformers model directory (BERT or MPNet)
//   "npy:PATH"  vectors computed elsewhere, one row per question
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "distill/matrix.h"
#include "distill/progress.h"

namespace distill {

struct EmbedOptions {
    std::string device = "auto";  // auto, cpu, cuda
    std::string dtype = "fp32";   // fp32, fp16, bf16 (CUDA)
    int batch_size = 0;           // 0: chosen by the embedder
};

class Embedder {
public:
    virtual ~Embedder() = default;
    // Everything that determines the vectors (kind, model files, settings),
    // as a string: part of the embedding cache key, so a changed model or
    // setting invalidates cached vectors by itself.
    virtual std::string identity() const = 0;
    // One row per text, in order. Throws Cancelled when progress asks.
    virtual Matrix embed(const std::vector<std::string>& texts, ProgressSink* progress = nullptr) = 0;
};

// Throws distill::Error naming the spec and what is accepted.
std::unique_ptr<Embedder> make_embedder(const std::string& spec, const EmbedOptions& options = {});

// The embedding cache (SPEC §2): vectors stored in `cache_dir` under a key
// hashed from the embedder's identity and the exact texts, so a changed
// model, setting or question list misses by itself. An entry is an .npy plus
// a JSON record of its key, shape and content hash, both written atomically;
// an entry that does not match its record (half-written, stale, corrupt) is
// ignored and rebuilt. `from_cache`, when given, says whether it was a hit;
// `entry`, when given, gets the entry's .npy path, so a later tool (the GUI's
// threshold sweep) can read the same vectors without embedding again
// (read_cached_embeddings).
Matrix embed_cached(Embedder& embedder, const std::vector<std::string>& texts, const std::string& cache_dir,
                    ProgressSink* progress = nullptr, bool* from_cache = nullptr, std::string* entry = nullptr);

// The embedding cache's entry for these texts when its record vouches for
// it and its .npy has the recorded shape, or nothing. Reads the record and
// the .npy's header only, not the vectors (2 GB at 700k rows): what
// load_last_run needs, whose later stages are all cached. Embeds nothing and
// writes nothing. The values are the record's word: a reader that needs them
// reads them with read_cached_embeddings.
struct CachedEmbeddings {
    std::string npy;  // the entry's vectors, for a later tool to read
    std::size_t rows = 0, cols = 0;
};
std::optional<CachedEmbeddings> find_cached_embeddings(const Embedder& embedder,
                                                       const std::vector<std::string>& texts,
                                                       const std::string& cache_dir);

// The vectors of the entry `entry_npy` (CachedEmbeddings::npy, or
// PipelineResult::embeddings_file) once they are checked against its record
// to have `rows` rows and the recorded content: what a tool reading a run's
// vectors later (the GUI's threshold sweep and Replace Shot) uses, so that an
// entry changed since the run is refused rather than read. Throws Error
// naming the file, saying to run again, when they are gone or differ.
Matrix read_cached_embeddings(const std::string& entry_npy, std::size_t rows);

// Benchmark (`distill bench embed`): the encoder, pooling and normalisation
// over synthetic token ids of about `tokens` per question (tokenizing is
// not timed: the model is what costs).
struct EmbedBenchOptions {
    std::string model;          // a model directory; empty: a random-weight MPNet-base (768 x 12 layers)
    std::size_t count = 1000;   // questions
    std::size_t tokens = 30;    // mean tokens per question, special tokens included
    EmbedOptions embed;
    std::uint64_t seed = 42;
};

struct EmbedBenchResult {
    std::string model;          // the directory, or the built-in shape
    std::string placement;      // "cpu fp32", "cuda:0 fp16"
    int cpu_threads = 0;        // libtorch intra-op threads
    int batch_size = 0;
    std::size_t questions = 0, tokens = 0;
    double seconds = 0;         // embedding only, after one warm-up batch
    double questions_per_second() const { return seconds > 0 ? double(questions) / seconds : 0; }
    double tokens_per_second() const { return seconds > 0 ? double(tokens) / seconds : 0; }
    std::string summary() const;  // one line for people
};

EmbedBenchResult bench_embed(const EmbedBenchOptions& options, ProgressSink* progress = nullptr);

}  // namespace distill
