#pragma once
// Small text helpers the corpus readers share: UTF-8 checks and the pieces
// of one-line problem messages that quote user data.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "distill/corpus.h"

namespace distill::corpus {

// The fix for every encoding problem, so all readers give the same advice.
inline constexpr std::string_view kConvertToUtf8 =
    "convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8)";

// Byte offset of the first ill-formed UTF-8 sequence in `text`, if any.
std::optional<std::size_t> find_invalid_utf8(std::string_view text);

// `text` with each ill-formed UTF-8 sequence replaced by U+FFFD: problem
// messages end up in the GUI and in manifest.json, which must stay valid.
std::string with_valid_utf8(std::string_view text);

// `text` as a JSON string literal ("name", escapes included), so a field
// name with quotes, control characters or bad bytes still fits on one line.
std::string json_quoted(std::string_view text);

// "a number", "an array", "null"...: the type of a JSON value in a sentence.
std::string describe_type(const Record& value);

// Removes a leading UTF-8 byte order mark, which editors on Windows write
// and which would otherwise become part of the first field name.
void strip_utf8_bom(std::string& first_line);

// True for a line holding nothing but JSON whitespace.
bool is_blank(std::string_view line);

}  // namespace distill::corpus
