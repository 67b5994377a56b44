#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>
#include <utility>

#include "distill/error.h"
#include "distill/pipeline.h"

namespace distill {
namespace fs = std::filesystem;
namespace {

// How long a run waits for readers (a GUI showing the folder's last run,
// which takes seconds even at 700k rows) before it gives up.
constexpr std::chrono::seconds kReadersWait{60};
constexpr const char* kWaitingForReaders = "waiting for Distill Studio to finish reading the output folder";

// An open file that closes (releasing its lock) however the scope ends.
class OpenFile {
public:
    explicit OpenFile(int fd) : fd_(fd) {}
    ~OpenFile() {
        if (fd_ >= 0) ::close(fd_);
    }
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
    int fd() const { return fd_; }
    bool is_open() const { return fd_ >= 0; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

std::string holder_of(const std::string& lock_path) {
    std::ifstream in(lock_path);
    std::string holder;
    std::getline(in, holder);
    return holder;
}

[[noreturn]] void refuse(const std::string& output_dir, const std::string& holder_path) {
    const std::string holder = holder_of(holder_path);
    throw Error(output_dir + ": another run" + (holder.empty() ? "" : " (" + holder + ")") +
                " is using this output folder; wait for it to end or choose another output folder");
}

// "pid N on HOST", what another run or reader is told holds the folder:
// written over the last holder, then cut to length, so that the file is
// never empty for a reader that comes in between.
void write_holder(int fd) {
    char host[256] = "";
    ::gethostname(host, sizeof host - 1);
    const std::string holder = "pid " + std::to_string(::getpid()) + " on " + host + "\n";
    if (::pwrite(fd, holder.data(), holder.size(), 0) == ssize_t(holder.size()))
        (void)!::ftruncate(fd, off_t(holder.size()));
}

enum class Attempt { Taken, ReadersHoldIt, ARunHoldsIt };

// One try at holding `fd` exclusively. Readers hold locks shared and a run
// exclusively, so when it is taken a shared lock tells which: one that can
// be had now means only readers hold it. A file system without locks (some
// network mounts) counts as taken: a run goes unguarded rather than not at all.
Attempt try_to_take(int fd) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK) return Attempt::Taken;
    if (::flock(fd, LOCK_SH | LOCK_NB) != 0) return Attempt::ARunHoldsIt;
    ::flock(fd, LOCK_UN);
    return Attempt::ReadersHoldIt;
}

}  // namespace

// Two locks: `lock`, held shared by readers and exclusively by a run, and
// `lock.waiting`, which a run holds while it waits for readers to let go of
// `lock`. A reader looks at the second first and is refused while a run
// waits, so readers taking turns cannot keep a run waiting; a second run is
// refused by either.
OutputFolderLock::OutputFolderLock(std::string output_dir, Access access, ProgressSink* progress)
    : output_dir_(std::move(output_dir)), access_(access) {
    const fs::path cache_dir = fs::path(output_dir_) / ".distill-cache";
    const std::string lock_path = (cache_dir / "lock").string(), waiting_path = lock_path + ".waiting";
    if (access_ == Access::Read) {
        OpenFile lock(::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC));
        // Not there: no run ever held it (nothing to read), or a cache we may
        // not even read, which the load then reports file by file.
        if (!lock.is_open()) return;
        if (const OpenFile waiting(::open(waiting_path.c_str(), O_RDONLY | O_CLOEXEC)); waiting.is_open()) {
            const bool a_run_waits = ::flock(waiting.fd(), LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
            if (a_run_waits) refuse(output_dir_, waiting_path);
        }
        if (::flock(lock.fd(), LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) refuse(output_dir_, lock_path);
        fd_ = lock.release();
        return;
    }

    std::error_code ec;
    fs::create_directories(cache_dir, ec);
    if (ec)
        throw Error(output_dir_ + ": cannot create the output folder (" + ec.message() +
                    "); choose a folder you can write to");
    const auto open_for_run = [&](const std::string& path) {
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            throw Error(output_dir_ + ": cannot open " + path + " (" + std::strerror(errno) +
                        "); choose a folder you can write to");
        return fd;
    };
    const OpenFile waiting(open_for_run(waiting_path));
    OpenFile lock(open_for_run(lock_path));
    const auto give_up = std::chrono::steady_clock::now() + kReadersWait;
    const auto wait_or_stop = [&](bool waiting_for_readers) {
        if (progress && waiting_for_readers) progress->update(kWaitingForReaders, 0, 0);
        if (progress && progress->cancel_requested()) throw Cancelled();
        if (std::chrono::steady_clock::now() > give_up)
            throw Error(output_dir_ + ": this output folder has been read (Distill Studio showing its last run) for " +
                        std::to_string(kReadersWait.count()) + " s; try again, or choose another output folder");
        std::this_thread::sleep_for(std::chrono::milliseconds(waiting_for_readers ? 50 : 1));
    };
    // The queue first (a reader holds it for a moment only), then the folder.
    for (Attempt a; (a = try_to_take(waiting.fd())) != Attempt::Taken;) {
        if (a == Attempt::ARunHoldsIt) refuse(output_dir_, waiting_path);  // another run waits for readers
        wait_or_stop(false);
    }
    write_holder(waiting.fd());
    for (Attempt a; (a = try_to_take(lock.fd())) != Attempt::Taken;) {
        if (a == Attempt::ARunHoldsIt) refuse(output_dir_, lock_path);
        wait_or_stop(true);
    }
    write_holder(lock.fd());
    fd_ = lock.release();
    // `waiting` closes here: held, a reader now finds the folder itself taken.
}

OutputFolderLock::~OutputFolderLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace distill
