#include "distill/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

#include "distill/error.h"

namespace distill {
namespace {

static_assert(std::endian::native == std::endian::little, "safetensors bytes are used without byte swapping");

// Hugging Face's own reader refuses headers above 100 MB; so do we, before
// allocating for one.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw Error(path + ": " + problem +
                "; expected a .safetensors file as saved by Hugging Face (re-download or re-save the model)");
}

struct DtypeInfo {
    const char* name;
    TensorDtype dtype;
    std::size_t size;
};

constexpr DtypeInfo kDtypes[] = {
    {"F64", TensorDtype::F64, 8}, {"F32", TensorDtype::F32, 4}, {"F16", TensorDtype::F16, 2},
    {"BF16", TensorDtype::BF16, 2}, {"I64", TensorDtype::I64, 8}, {"I32", TensorDtype::I32, 4},
    {"I16", TensorDtype::I16, 2}, {"I8", TensorDtype::I8, 1}, {"U8", TensorDtype::U8, 1},
    {"BOOL", TensorDtype::Bool, 1},
};

const DtypeInfo& info(TensorDtype dtype) {
    return *std::find_if(std::begin(kDtypes), std::end(kDtypes), [&](const DtypeInfo& d) { return d.dtype == dtype; });
}

// One header entry checked against the data section of `data_size` bytes;
// returns its byte range.
std::pair<std::uint64_t, std::uint64_t> parse_entry(const std::string& path, const std::string& name,
                                                    const nlohmann::json& entry, std::uint64_t data_size,
                                                    TensorView& view) {
    const std::string where = "tensor \"" + name + "\"";
    if (!entry.is_object()) fail(path, where + " is not a JSON object in the header");
    const auto dtype = entry.find("dtype");
    if (dtype == entry.end() || !dtype->is_string()) fail(path, where + " has no \"dtype\" string");
    const auto known = std::find_if(std::begin(kDtypes), std::end(kDtypes),
                                    [&](const DtypeInfo& d) { return *dtype == d.name; });
    if (known == std::end(kDtypes)) fail(path, where + " has the unknown dtype " + dtype->dump());
    view.dtype = known->dtype;

    const auto shape = entry.find("shape");
    if (shape == entry.end() || !shape->is_array()) fail(path, where + " has no \"shape\" array");
    std::uint64_t elements = 1;
    for (const auto& dim : *shape) {
        if (!dim.is_number_unsigned()) fail(path, where + " has a shape entry that is not a non-negative integer");
        const auto d = dim.get<std::uint64_t>();
        if (d != 0 && elements > std::numeric_limits<std::uint64_t>::max() / known->size / d)
            fail(path, where + " has an impossibly large shape");
        elements *= d;
        view.shape.push_back(static_cast<std::int64_t>(d));
    }

    const auto offsets = entry.find("data_offsets");
    if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 ||
        !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned())
        fail(path, where + " has no \"data_offsets\" pair of non-negative integers");
    const auto begin = (*offsets)[0].get<std::uint64_t>(), end = (*offsets)[1].get<std::uint64_t>();
    if (begin > end || end > data_size)
        fail(path, where + " has data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                       "] outside the " + std::to_string(data_size) + " data bytes (a truncated file?)");
    if (end - begin != elements * known->size)
        fail(path, where + " has " + std::to_string(end - begin) + " bytes but its shape and dtype need " +
                       std::to_string(elements * known->size));
    return {begin, end};
}

}  // namespace

std::size_t dtype_size(TensorDtype dtype) { return info(dtype).size; }
const char* dtype_name(TensorDtype dtype) { return info(dtype).name; }

SafetensorsFile::SafetensorsFile(const std::string& path) : path_(path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(path + ": cannot open the model weights (" + std::strerror(errno) + "); check the path");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(path, "is not a regular file");
    }
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ < 8) {
        ::close(fd);
        fail(path, "has " + std::to_string(size_) + " bytes, fewer than the 8-byte header length");
    }
    map_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);  // the mapping keeps the file
    if (map_ == MAP_FAILED) {
        map_ = nullptr;
        throw Error(path + ": cannot map the model weights into memory (" + std::strerror(errno) + ")");
    }
    try {
        const auto* bytes = static_cast<const unsigned char*>(map_);
        std::uint64_t header_size = 0;
        std::memcpy(&header_size, bytes, 8);
        if (header_size > kMaxHeaderBytes || header_size > size_ - 8)
            fail(path, "declares a " + std::to_string(header_size) + "-byte header but the file has " +
                           std::to_string(size_) + " bytes (truncated or not a safetensors file)");
        nlohmann::json header;
        try {
            header = nlohmann::json::parse(bytes + 8, bytes + 8 + header_size);
        } catch (const nlohmann::json::parse_error& e) {
            fail(path, std::string("has a header that is not valid JSON (") + e.what() + ")");
        }
        if (!header.is_object()) fail(path, "has a header that is not a JSON object");

        const std::uint64_t data_start = 8 + header_size, data_size = size_ - data_start;
        std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
        for (const auto& [name, entry] : header.items()) {
            if (name == "__metadata__") continue;
            TensorView view;
            const auto range = parse_entry(path, name, entry, data_size, view);
            view.bytes = {reinterpret_cast<const std::byte*>(bytes + data_start + range.first),
                          static_cast<std::size_t>(range.second - range.first)};
            tensors_.emplace(name, std::move(view));
            ranges.push_back(range);
        }
        // The format requires the ranges to tile the data section exactly: a
        // gap or an overlap means the header does not describe these bytes.
        std::sort(ranges.begin(), ranges.end());
        std::uint64_t covered = 0;
        for (const auto& [begin, end] : ranges) {
            if (begin != covered)
                fail(path, "has tensor data " + std::string(begin < covered ? "overlapping" : "with a gap") +
                               " at byte " + std::to_string(begin) + " of the data section");
            covered = end;
        }
        if (covered != data_size)
            fail(path, "has " + std::to_string(data_size - covered) + " bytes after the last tensor");
    } catch (...) {
        ::munmap(map_, size_);
        map_ = nullptr;
        throw;
    }
}

SafetensorsFile::SafetensorsFile(SafetensorsFile&& other) noexcept
    : path_(std::move(other.path_)),
      map_(std::exchange(other.map_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      tensors_(std::move(other.tensors_)) {}

SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&& other) noexcept {
    if (this != &other) {
        if (map_) ::munmap(map_, size_);
        path_ = std::move(other.path_);
        map_ = std::exchange(other.map_, nullptr);
        size_ = std::exchange(other.size_, 0);
        tensors_ = std::move(other.tensors_);
    }
    return *this;
}

SafetensorsFile::~SafetensorsFile() {
    if (map_) ::munmap(map_, size_);
}

const TensorView* SafetensorsFile::find(const std::string& name) const {
    const auto it = tensors_.find(name);
    return it == tensors_.end() ? nullptr : &it->second;
}

}  // namespace distill
