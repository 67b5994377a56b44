#include "distill/content_hash.h"

#include <cstdio>
#include <fstream>
#include <vector>

#include <xxhash.h>

#include "distill/error.h"

namespace distill {

struct ContentHasher::State {
    XXH3_state_t* xxh = XXH3_createState();
    State() { XXH3_128bits_reset(xxh); }
    ~State() { XXH3_freeState(xxh); }
};

ContentHasher::ContentHasher() : state_(std::make_unique<State>()) {}
ContentHasher::~ContentHasher() = default;

ContentHasher& ContentHasher::add(std::uint64_t number) {
    XXH3_128bits_update(state_->xxh, &number, sizeof number);
    return *this;
}

ContentHasher& ContentHasher::add(std::string_view part) {
    add(std::uint64_t(part.size()));
    XXH3_128bits_update(state_->xxh, part.data(), part.size());
    return *this;
}

ContentHasher& ContentHasher::add_file(const std::string& path) { return add(hash_file(path)); }

void ContentHasher::update(const void* data, std::size_t size) { XXH3_128bits_update(state_->xxh, data, size); }

std::string ContentHasher::hex() const {
    const XXH128_hash_t h = XXH3_128bits_digest(state_->xxh);
    char out[33];
    std::snprintf(out, sizeof out, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                  static_cast<unsigned long long>(h.low64));
    return out;
}

std::string hash_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open the file to hash it; check that it exists and is readable");
    ContentHasher hash;
    std::vector<char> buffer(1 << 20);
    while (in.read(buffer.data(), std::streamsize(buffer.size())) || in.gcount() > 0)
        hash.update(buffer.data(), std::size_t(in.gcount()));
    if (in.bad()) throw Error(path + ": reading failed while hashing the file; check the disk");
    return hash.hex();
}

}  // namespace distill
