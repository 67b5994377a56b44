#include "distill/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "distill/error.h"

namespace distill {
namespace fs = std::filesystem;

namespace {

std::string temp_name_beside(const fs::path& target) {
    std::random_device rd;
    char suffix[16];
    std::snprintf(suffix, sizeof suffix, "%08x", rd());
    return (target.parent_path() / ("." + target.filename().string() + ".tmp-" + suffix)).string();
}

// The data must be on disk before the rename makes it visible, or a power
// loss can leave an empty file under the target's name.
void sync_to_disk(const std::string& path, const std::string& target) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    const bool ok = fd >= 0 && ::fsync(fd) == 0;
    const int err = errno;
    if (fd >= 0) ::close(fd);
    if (!ok) throw Error(target + ": cannot flush to disk (" + std::strerror(err) + ")");
}

}  // namespace

void check_output_folder(const std::string& path) {
    const fs::path target(path);
    std::error_code ec;
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (!fs::is_directory(dir, ec))
        throw Error(path + ": the folder " + dir.string() + " does not exist; create it or choose another output path");
}

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
    check_output_folder(path);
    const fs::path target(path);
    const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::error_code ec;

    const std::string temp = temp_name_beside(target);
    try {
        {
            std::ofstream out(temp, std::ios::binary | std::ios::trunc);
            if (!out)
                throw Error(path + ": cannot write in " + dir.string() + " (" + std::strerror(errno) +
                            "); check the folder's permissions or choose another output path");
            write(out);
            out.flush();
            if (!out)
                throw Error(path + ": writing failed (" + std::strerror(errno) +
                            "); is the disk full? The previous file, if any, is untouched");
            out.close();
            if (out.fail()) throw Error(path + ": closing the file failed; is the disk full?");
        }
        sync_to_disk(temp, path);
        fs::rename(temp, target, ec);
        if (ec) throw Error(path + ": cannot replace the file (" + ec.message() + ")");
    } catch (...) {
        fs::remove(temp, ec);
        throw;
    }
}

}  // namespace distill
