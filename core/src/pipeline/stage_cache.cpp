#include "pipeline/stage_cache.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "distill/atomic_file.h"
#include "distill/content_hash.h"

namespace distill::pipeline {
namespace fs = std::filesystem;

StageCache::StageCache(const OutputFolderLock& folder)
    : output_dir_(folder.output_dir()), run_(folder.access() == OutputFolderLock::Access::Run) {}

std::string StageCache::path(const std::string& relative) const { return (fs::path(output_dir_) / relative).string(); }

std::string StageCache::cache_path(const std::string& name) const {
    return (fs::path(output_dir_) / ".distill-cache" / name).string();
}

// "KEY\nHASH  PATH\n..." as xxhsum prints a file's hash, so a user can check
// an output against it by hand. Hashing reads each output once (XXH3 runs at
// memory speed; the outputs are what the next stage reads anyway).
std::string StageCache::record(const std::string& key, const std::vector<std::string>& outputs) const {
    std::string out = key + "\n";
    for (const auto& output : outputs) out += hash_file(path(output)) + "  " + output + "\n";
    return out;
}

bool StageCache::fresh(const std::string& stage, const std::string& key,
                       const std::vector<std::string>& outputs) const {
    std::ifstream in(cache_path(stage + ".key"), std::ios::binary);
    if (!in) return false;
    const std::string stored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& output : outputs)
        if (!fs::is_regular_file(path(output))) return false;
    // A key file written before outputs were hashed holds the key alone: its
    // outputs are trusted as they are, as they were then, and a run records
    // their hashes now, so an upgrade re-runs nothing.
    if (stored == key) {
        if (run_) commit(stage, key, outputs);
        return true;
    }
    // A key of another run is told apart before any output is read.
    if (stored.compare(0, key.size() + 1, key + "\n") != 0) return false;
    return stored == record(key, outputs);
}

void StageCache::begin(const std::string& stage) const {
    std::error_code ec;
    fs::remove(cache_path(stage + ".key"), ec);
}

void StageCache::commit(const std::string& stage, const std::string& key,
                        const std::vector<std::string>& outputs) const {
    const std::string content = record(key, outputs);
    write_file_atomically(cache_path(stage + ".key"), [&](std::ostream& out) { out << content; });
}

}  // namespace distill::pipeline
