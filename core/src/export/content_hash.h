#pragma once
// The content hash the export manifest names files by: XXH3-128 as 32 hex
// digits, high 64 bits first (what `xxhsum -H2` prints).
#include <cstddef>
#include <memory>
#include <string>

struct XXH3_state_s;

namespace distill::exporting {

class ContentHash {
public:
    ContentHash();
    ~ContentHash();
    ContentHash(const ContentHash&) = delete;
    ContentHash& operator=(const ContentHash&) = delete;

    void update(const void* data, std::size_t size);
    std::string hex() const;

private:
    XXH3_state_s* state_;
};

// Throws distill::Error naming `path` when it cannot be read.
std::string content_hash_of_file(const std::string& path);

}  // namespace distill::exporting
