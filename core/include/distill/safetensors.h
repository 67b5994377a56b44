#pragma once
// Hugging Face .safetensors weight files, read strictly: an 8-byte
// little-endian header length, a JSON header naming each tensor's dtype,
// shape and byte range, then the tensor bytes. The file is memory-mapped, so
// a 440 MB checkpoint costs no copy until a tensor is converted.
//
// Every promise of the header is checked before any byte is used: the
// header fits the file, each tensor's byte range has exactly
// product(shape) * dtype-size bytes, and the ranges tile the data section
// without gaps or overlaps (as the safetensors format requires). A corrupt or
// truncated file gives a distill::Error naming the file and what is wrong.
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace distill {

enum class TensorDtype { F64, F32, F16, BF16, I64, I32, I16, I8, U8, Bool };

std::size_t dtype_size(TensorDtype dtype);
const char* dtype_name(TensorDtype dtype);  // as the header spells it: "F32", "BF16"...

struct TensorView {
    TensorDtype dtype = TensorDtype::F32;
    std::vector<std::int64_t> shape;
    std::span<const std::byte> bytes;  // into the mapped file, little-endian, row-major
};

class SafetensorsFile {
public:
    explicit SafetensorsFile(const std::string& path);  // throws distill::Error
    SafetensorsFile(SafetensorsFile&&) noexcept;
    SafetensorsFile& operator=(SafetensorsFile&&) noexcept;
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;
    ~SafetensorsFile();

    const std::string& path() const { return path_; }
    const std::map<std::string, TensorView>& tensors() const { return tensors_; }
    const TensorView* find(const std::string& name) const;
    // The whole file, e.g. to hash its content.
    std::span<const std::byte> file_bytes() const { return {static_cast<const std::byte*>(map_), size_}; }

private:
    std::string path_;
    void* map_ = nullptr;
    std::size_t size_ = 0;
    std::map<std::string, TensorView> tensors_;
};

}  // namespace distill
