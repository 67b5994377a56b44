#include "corpus/source_file.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "distill/error.h"

namespace distill::corpus {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFixPath = "point the source at a readable local file";

}  // namespace

std::ifstream open_source_file(const std::string& path) {
    if (path.empty()) throw Error("a source has no file; " + std::string(kFixPath));
    // A directory opens fine and then reads as empty; say what it is instead.
    std::error_code ec;
    if (fs::is_directory(path, ec))
        throw Error(located_message(path, 0, "is a directory, not a file", kFixPath));
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(located_message(path, 0, std::string("cannot open: ") + std::strerror(errno),
                                    kFixPath));
    return in;
}

std::uint64_t source_file_size(const std::string& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    return ec ? 0 : static_cast<std::uint64_t>(size);
}

}  // namespace distill::corpus
