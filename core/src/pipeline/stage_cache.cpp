#include "pipeline/stage_cache.h"

#include <filesystem>
#include <fstream>
#include <iterator>

#include "distill/atomic_file.h"

namespace distill::pipeline {
namespace fs = std::filesystem;

StageCache::StageCache(const OutputFolderLock& folder) : output_dir_(folder.output_dir()) {}

std::string StageCache::path(const std::string& relative) const { return (fs::path(output_dir_) / relative).string(); }

std::string StageCache::cache_path(const std::string& name) const {
    return (fs::path(output_dir_) / ".distill-cache" / name).string();
}

bool StageCache::fresh(const std::string& stage, const std::string& key,
                       const std::vector<std::string>& outputs) const {
    std::ifstream in(cache_path(stage + ".key"), std::ios::binary);
    if (!in) return false;
    const std::string stored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (stored != key) return false;
    for (const auto& output : outputs)
        if (!fs::exists(path(output))) return false;
    return true;
}

void StageCache::begin(const std::string& stage) const {
    std::error_code ec;
    fs::remove(cache_path(stage + ".key"), ec);
}

void StageCache::commit(const std::string& stage, const std::string& key) const {
    write_file_atomically(cache_path(stage + ".key"), [&](std::ostream& out) { out << key; });
}

}  // namespace distill::pipeline
