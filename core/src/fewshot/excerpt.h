#pragma once
// Questions quoted in one-line messages: a question can be a whole article,
// hold newlines, or be cut inside a UTF-8 sequence.
#include <string>
#include <string_view>

#include "corpus/text.h"

namespace distill::fewshot {

// The start of `question` as a JSON string literal, "..." marking a cut.
inline std::string quoted_excerpt(std::string_view question) {
    constexpr std::size_t kMaxBytes = 60;
    if (question.size() <= kMaxBytes) return corpus::json_quoted(question);
    std::size_t cut = kMaxBytes;
    while (cut > 0 && (static_cast<unsigned char>(question[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    return corpus::json_quoted(question.substr(0, cut)) + "...";
}

}  // namespace distill::fewshot
