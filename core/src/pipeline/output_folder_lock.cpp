#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "distill/error.h"
#include "distill/pipeline.h"

namespace distill {
namespace fs = std::filesystem;

OutputFolderLock::OutputFolderLock(std::string output_dir) : output_dir_(std::move(output_dir)) {
    const fs::path cache_dir = fs::path(output_dir_) / ".distill-cache";
    std::error_code ec;
    fs::create_directories(cache_dir, ec);
    if (ec)
        throw Error(output_dir_ + ": cannot create the output folder (" + ec.message() +
                    "); choose a folder you can write to");

    const std::string lock_path = (cache_dir / "lock").string();
    fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw Error(output_dir_ + ": cannot open " + lock_path + " (" + std::strerror(errno) +
                    "); choose a folder you can write to");
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        if (err == EWOULDBLOCK) {
            std::ifstream in(lock_path);
            std::string holder;
            std::getline(in, holder);
            ::close(fd_);
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
    if (::ftruncate(fd_, 0) == 0) (void)!::write(fd_, holder.data(), holder.size());
}

OutputFolderLock::~OutputFolderLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace distill
