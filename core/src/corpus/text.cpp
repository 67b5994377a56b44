#include "corpus/text.h"

#include <unicode/utf8.h>

#include <cstdint>

namespace distill::corpus {

namespace {

const std::uint8_t* bytes(std::string_view text) {
    return reinterpret_cast<const std::uint8_t*>(text.data());
}

}  // namespace

std::optional<std::size_t> find_invalid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t start = i;
        UChar32 c;
        U8_NEXT(bytes(text), i, text.size(), c);
        if (c < 0) return start;
    }
    return std::nullopt;
}

std::string with_valid_utf8(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        const std::size_t start = i;
        UChar32 c;
        U8_NEXT(bytes(text), i, text.size(), c);
        if (c < 0)
            out += "\uFFFD";
        else
            out.append(text.substr(start, i - start));
    }
    return out;
}

std::string json_quoted(std::string_view text) {
    return Record(std::string(text)).dump(-1, ' ', false, Record::error_handler_t::replace);
}

std::string describe_type(const Record& value) {
    switch (value.type()) {
        case Record::value_t::null:
            return "null";
        case Record::value_t::object:
            return "an object";
        case Record::value_t::array:
            return "an array";
        default:
            return std::string("a ") + value.type_name();
    }
}

void strip_utf8_bom(std::string& first_line) {
    if (first_line.starts_with("\xEF\xBB\xBF")) first_line.erase(0, 3);
}

bool is_blank(std::string_view line) {
    return line.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace distill::corpus
