#include "export/content_hash.h"

#include <xxhash.h>

#include <cstdio>
#include <fstream>
#include <vector>

#include "distill/error.h"

namespace distill::exporting {

ContentHash::ContentHash() : state_(XXH3_createState()) { XXH3_128bits_reset(state_); }
ContentHash::~ContentHash() { XXH3_freeState(state_); }

void ContentHash::update(const void* data, std::size_t size) { XXH3_128bits_update(state_, data, size); }

std::string ContentHash::hex() const {
    const XXH128_hash_t h = XXH3_128bits_digest(state_);
    char hex[33];
    std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                  static_cast<unsigned long long>(h.low64));
    return hex;
}

std::string content_hash_of_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open the file; check the path");
    ContentHash hash;
    std::vector<char> buffer(1 << 20);
    while (in.read(buffer.data(), std::streamsize(buffer.size())) || in.gcount() > 0)
        hash.update(buffer.data(), std::size_t(in.gcount()));
    if (in.bad()) throw Error(path + ": reading failed; check the disk");
    return hash.hex();
}

}  // namespace distill::exporting
