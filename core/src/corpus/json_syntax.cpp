#include "corpus/json_syntax.h"

#include <string_view>

#include "corpus/text.h"

namespace distill::corpus {

namespace {

// nlohmann writes "[json.exception.parse_error.101] parse error at line 1,
// column 5: syntax error while parsing value - <reason>[; last read:
// '<token>'][; expected <what>]".
std::string_view reason_of(std::string_view what) {
    const auto position = what.find("parse error");
    if (position == std::string_view::npos) return what;
    const auto colon = what.find(": ", position);
    return colon == std::string_view::npos ? what : what.substr(colon + 2);
}

std::string without_last_read(std::string_view reason) {
    constexpr std::string_view kLastRead = "; last read: '";
    const auto start = reason.find(kLastRead);
    if (start == std::string_view::npos) return std::string(reason);
    // The token may itself contain "'; expected ", so take the last one.
    constexpr std::string_view kExpected = "'; expected ";
    const auto expected = reason.rfind(kExpected);
    std::string out(reason.substr(0, start));
    if (expected != std::string_view::npos && expected > start)
        out += ", expected " + std::string(reason.substr(expected + kExpected.size()));
    return out;
}

}  // namespace

std::string json_syntax_problem(const std::exception& error, std::size_t column) {
    return "invalid JSON at column " + std::to_string(column) + ": " +
           with_valid_utf8(without_last_read(reason_of(error.what())));
}

}  // namespace distill::corpus
