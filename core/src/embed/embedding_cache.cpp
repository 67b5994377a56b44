// The embedding cache (SPEC §2). The reference needed manual force_rebuild
// flags; here the key is a hash of everything that decides the vectors, and
// an entry is used only when its record vouches for exactly these bytes.
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "distill/atomic_file.h"
#include "distill/content_hash.h"
#include "distill/embedder.h"
#include "distill/error.h"
#include "distill/npy.h"

namespace distill {
namespace {

namespace fs = std::filesystem;

// Bumped when the entry format or what goes into the key changes.
constexpr const char* kFormat = "distill-embedding-cache/1";

std::string values_hash(const Matrix& m) {
    return ContentHasher()
        .add(std::string_view(reinterpret_cast<const char*>(m.values.data()), m.values.size() * sizeof(float)))
        .hex();
}

// One entry of the cache: its key, hashed from the embedder's identity and
// the exact texts, and its two files in the cache folder.
struct Entry {
    std::string key, npy, record;
};

Entry entry_of(const std::string& identity, const std::vector<std::string>& texts, const std::string& cache_dir) {
    ContentHasher hash;
    hash.add(kFormat).add(identity).add(std::uint64_t(texts.size()));
    for (const auto& text : texts) hash.add(text);
    Entry entry{hash.hex(), {}, {}};
    const std::string stem = (fs::path(cache_dir) / ("embeddings-" + entry.key)).string();
    entry.npy = stem + ".npy";
    entry.record = stem + ".json";
    return entry;
}

// The entry whose vectors are `npy`, as named by embed_cached or
// find_cached_embeddings: its key is in its name, its record beside it.
Entry entry_at(const std::string& npy) {
    const fs::path path(npy);
    const std::string stem = path.stem().string();
    constexpr std::string_view prefix = "embeddings-";
    Entry entry;
    if (stem.rfind(prefix, 0) == 0) entry.key = stem.substr(prefix.size());
    entry.npy = npy;
    entry.record = (path.parent_path() / (stem + ".json")).string();
    return entry;
}

// The entry's record when it is of this key and row count; nothing
// otherwise (absent, half-written, corrupt or from another key).
std::optional<nlohmann::json> read_record(const Entry& entry, std::size_t rows) {
    std::ifstream in(entry.record, std::ios::binary);
    if (!in) return std::nullopt;
    auto record = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (!record.is_object() || record.value("format", "") != kFormat || record.value("key", "") != entry.key ||
        record.value("rows", std::size_t(0)) != rows)
        return std::nullopt;
    return record;
}

// The entry's vectors when its record and its vectors agree; nothing
// otherwise.
std::optional<Matrix> read_entry(const Entry& entry, std::size_t rows) {
    const auto record = read_record(entry, rows);
    if (!record) return std::nullopt;
    try {
        Matrix m = read_npy(entry.npy);
        if (m.rows != rows || m.cols != record->value("cols", std::size_t(0)) ||
            values_hash(m) != record->value("values_xxh3", ""))
            return std::nullopt;
        return m;
    } catch (const Error&) {
        return std::nullopt;
    }
}

}  // namespace

std::optional<CachedEmbeddings> find_cached_embeddings(const Embedder& embedder,
                                                       const std::vector<std::string>& texts,
                                                       const std::string& cache_dir) {
    const Entry entry = entry_of(embedder.identity(), texts, cache_dir);
    const auto record = read_record(entry, texts.size());
    if (!record) return std::nullopt;
    try {
        const NpyShape shape = read_npy_shape(entry.npy);
        if (shape.rows != texts.size() || shape.cols != record->value("cols", std::size_t(0))) return std::nullopt;
        return CachedEmbeddings{entry.npy, shape.rows, shape.cols};
    } catch (const Error&) {
        return std::nullopt;
    }
}

Matrix read_cached_embeddings(const std::string& entry_npy, std::size_t rows) {
    if (auto vectors = read_entry(entry_at(entry_npy), rows)) return std::move(*vectors);
    throw Error(located_message(entry_npy, 0,
                                "the last run's cached vectors of " + std::to_string(rows) +
                                    " questions are gone or no longer match their record (changed since the run)",
                                "run the pipeline again, which embeds the questions again"));
}

Matrix embed_cached(Embedder& embedder, const std::vector<std::string>& texts, const std::string& cache_dir,
                    ProgressSink* progress, bool* from_cache, std::string* entry_npy) {
    const std::string identity = embedder.identity();
    const Entry entry = entry_of(identity, texts, cache_dir);
    if (entry_npy) *entry_npy = entry.npy;
    if (auto cached = read_entry(entry, texts.size())) {
        if (from_cache) *from_cache = true;
        return std::move(*cached);
    }
    if (from_cache) *from_cache = false;
    Matrix m = embedder.embed(texts, progress);

    std::error_code ec;
    fs::create_directories(cache_dir, ec);
    if (ec)
        throw Error(located_message(cache_dir, 0, "cannot create the embedding cache folder (" + ec.message() + ")",
                                    "choose a writable cache folder"));
    // The vectors first, their record last: a crash in between leaves a
    // record that does not vouch for the new file, which is then rebuilt.
    write_npy(entry.npy, m);
    const nlohmann::json record = {{"format", kFormat}, {"key", entry.key}, {"identity", identity},
                                   {"rows", m.rows},    {"cols", m.cols},   {"values_xxh3", values_hash(m)}};
    write_file_atomically(entry.record, [&](std::ostream& out) { out << record.dump(2) << "\n"; });
    return m;
}

}  // namespace distill
