#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "distill/error.h"
#include "distill/pipeline.h"

namespace distill {
namespace fs = std::filesystem;
namespace {

// How long a run waits for readers (a GUI showing the folder's last run,
// which takes seconds even at 700k rows) before it gives up.
constexpr std::chrono::seconds kReadersWait{60};
constexpr const char* kWaitingForReaders = "waiting for Distill Studio to finish reading the output folder";

std::string holder_of(const std::string& lock_path) {
    std::ifstream in(lock_path);
    std::string holder;
    std::getline(in, holder);
    return holder;
}

[[noreturn]] void refuse(const std::string& output_dir, const std::string& lock_path, int fd) {
    const std::string holder = holder_of(lock_path);
    ::close(fd);
    throw Error(output_dir + ": another run" + (holder.empty() ? "" : " (" + holder + ")") +
                " is using this output folder; wait for it to end or choose another output folder");
}

}  // namespace

OutputFolderLock::OutputFolderLock(std::string output_dir, Access access, ProgressSink* progress)
    : output_dir_(std::move(output_dir)), access_(access) {
    const fs::path cache_dir = fs::path(output_dir_) / ".distill-cache";
    const std::string lock_path = (cache_dir / "lock").string();
    if (access_ == Access::Read) {
        fd_ = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd_ < 0) {
            // No run ever held it (nothing to read), or a cache we may not
            // even read, which the load then reports file by file.
            return;
        }
        if (::flock(fd_, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) refuse(output_dir_, lock_path, fd_);
        return;
    }

    std::error_code ec;
    fs::create_directories(cache_dir, ec);
    if (ec)
        throw Error(output_dir_ + ": cannot create the output folder (" + ec.message() +
                    "); choose a folder you can write to");
    fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0)
        throw Error(output_dir_ + ": cannot open " + lock_path + " (" + std::strerror(errno) +
                    "); choose a folder you can write to");
    const auto give_up = std::chrono::steady_clock::now() + kReadersWait;
    while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        // A file system without locks (some network mounts): run unguarded
        // rather than not at all.
        if (errno != EWOULDBLOCK) return;
        // Held shared, by readers only, when a shared lock can be had now:
        // they let go in seconds. Held by a run otherwise.
        if (::flock(fd_, LOCK_SH | LOCK_NB) != 0) refuse(output_dir_, lock_path, fd_);
        ::flock(fd_, LOCK_UN);
        if (progress) {
            progress->update(kWaitingForReaders, 0, 0);
            if (progress->cancel_requested()) {
                ::close(fd_);
                throw Cancelled();
            }
        }
        if (std::chrono::steady_clock::now() > give_up) {
            ::close(fd_);
            throw Error(output_dir_ + ": this output folder has been read (Distill Studio showing its last run) for " +
                        std::to_string(kReadersWait.count()) + " s; try again, or choose another output folder");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
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
