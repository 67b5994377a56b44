#pragma once
// Opening a source file, shared by read_source and by pool_sources, which
// checks every file before it reads any.
#include <cstdint>
#include <fstream>
#include <string>

namespace distill::corpus {

// Throws distill::Error (path, reason, fix) when the file cannot be read,
// whatever the bad-input policy: a missing source is never a skippable line.
std::ifstream open_source_file(const std::string& path);

// Size in bytes for progress; 0 when unknown (a pipe).
std::uint64_t source_file_size(const std::string& path);

}  // namespace distill::corpus
