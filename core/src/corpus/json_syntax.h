#pragma once
// nlohmann's parse errors rewritten for a one-line problem message.
#include <cstddef>
#include <exception>
#include <string>

namespace distill::corpus {

// "invalid JSON at column C: <nlohmann's reason>". nlohmann's own "line L,
// column C" is dropped, since the readers name the file's line themselves
// (a JSONL line is parsed on its own), and so is its "last read" excerpt,
// which can be a whole long string and can hold the very bytes that are
// not UTF-8.
std::string json_syntax_problem(const std::exception& error, std::size_t column);

}  // namespace distill::corpus
