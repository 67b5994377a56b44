#include "pipeline/stage_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "distill/atomic_file.h"
#include "distill/error.h"

namespace distill::pipeline {
namespace fs = std::filesystem;

StageCache::StageCache(std::string output_dir) : output_dir_(std::move(output_dir)) {
    std::error_code ec;
    fs::create_directories(fs::path(output_dir_) / ".distill-cache", ec);
    if (ec)
        throw Error(output_dir_ + ": cannot create the output folder (" + ec.message() +
                    "); choose a folder you can write to");

    const std::string lock_path = cache_path("lock");
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0)
        throw Error(output_dir_ + ": cannot open " + lock_path + " (" + std::strerror(errno) +
                    "); choose a folder you can write to");
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        if (err == EWOULDBLOCK) {
            std::ifstream in(lock_path);
            std::string holder;
            std::getline(in, holder);
            ::close(lock_fd_);
            throw Error(output_dir_ + ": another run" + (holder.empty() ? "" : " (" + holder + ")") +
                        " is using this output folder; wait for it to end or choose another output folder");
        }
        // A file system without locks (some network mounts): run unguarded
        // rather than not at all.
        return;
    }
    // Who holds it, for the message another run gets.
    char host[256] = "";
    ::gethostname(host, sizeof host - 1);
    const std::string holder = "pid " + std::to_string(::getpid()) + " on " + host + "\n";
    if (::ftruncate(lock_fd_, 0) == 0) (void)!::write(lock_fd_, holder.data(), holder.size());
}

StageCache::~StageCache() {
    if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the lock
}

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
