#pragma once
// Content hashes for cache keys and manifests (SPEC §2, §6): xxHash's
// XXH3-128 over exactly the bytes that decide a result, printed as 32 hex
// digits, high half first (as `xxhsum -H2` prints). A cache keyed this way
// invalidates by itself when an input changes, which the reference's manual
// force_rebuild flags did not.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace distill {

class ContentHasher {
public:
    ContentHasher();
    ~ContentHasher();
    ContentHasher(const ContentHasher&) = delete;
    ContentHasher& operator=(const ContentHasher&) = delete;

    // Parts of a key. Each is length-prefixed, so ("ab", "c") and ("a", "bc")
    // differ.
    ContentHasher& add(std::string_view part);
    ContentHasher& add(std::uint64_t number);
    // A file, as its hash_file() part. Throws distill::Error naming the file
    // when it cannot be read.
    ContentHasher& add_file(const std::string& path);
    // Raw bytes, not prefixed: for hashing a stream as it is written, so the
    // result equals hash_file() of what was written.
    void update(const void* data, std::size_t size);

    std::string hex() const;  // of everything added so far

private:
    struct State;
    std::unique_ptr<State> state_;
};

// The content hash of one file's bytes: what `xxhsum -H2 FILE` prints, so a
// user can check a manifest's hashes without us.
std::string hash_file(const std::string& path);

}  // namespace distill
