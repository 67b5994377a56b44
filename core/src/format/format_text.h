#pragma once
// Text pieces the formatting stage shares: Python's string semantics that
// the reference's output depends on, placeholder templates, and the line
// loop of the two streaming entry points.
#include <cstddef>
#include <functional>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

#include "distill/corpus.h"

namespace distill {
class ProgressSink;
}

namespace distill::format {

// Python's str.replace: every non-overlapping occurrence, left to right.
std::string python_replace(std::string text, std::string_view from, std::string_view to);

// Python's truthiness of a JSON value ("" / null / 0 / false / [] / {} are false).
bool python_truthy(const Record& value);

// Python's str.upper() of the last character, as `s[:-1] + s[-1:].upper()`.
std::string with_last_character_upper(const std::string& text);

// len(text.split(' ')): the reference's "words".
std::size_t count_single_space_words(std::string_view text);
inline std::size_t count_spaces(std::string_view text) {
    std::size_t n = 0;
    for (char c : text) n += c == ' ';
    return n;
}

// The record's field names as a JSON-quoted, comma-separated list.
std::string field_list(const Record& record);

// A text with {identifier} placeholders, parsed once.
class PlaceholderText {
public:
    PlaceholderText() = default;
    explicit PlaceholderText(const std::string& text);

    // The text with each placeholder replaced by value(name); the values are
    // not scanned again, so a question holding "{answer}" stays as it is.
    std::string render(const std::function<std::string(const std::string&)>& value) const;
    const std::vector<std::string>& placeholders() const { return names_; }
    // The placeholder name when the whole text is exactly one placeholder.
    const std::string* sole_placeholder() const;

private:
    std::vector<std::string> literals_;  // literals_[i] precedes names_[i]; one more literal than names
    std::vector<std::string> names_;
};

// The line loop of format_stream and chat_stream: numbers lines from 1,
// strips a UTF-8 byte order mark, skips blank lines, parses each as JSON
// and calls handle(record, line_number). A line that is not JSON, and any
// distill::Error thrown by `handle`, becomes a problem "NAME:LINE: ...":
// thrown under Abort, counted in `skipped` and kept (up to
// CorpusReport::kMaxKeptProblems) under Skip. Polls cancel and reports
// progress in bytes every 256 lines. `prepare`, when given, is called with
// the records of each run of lines between two polls, in line order, before
// handle() is called on each of them in that order: work worth doing on
// several threads goes there, and handle() applies its results as one
// thread would.
void for_each_json_line(std::istream& in, const std::string& input_name, BadInputPolicy policy,
                        ProgressSink* progress, const char* stage, std::size_t& read, std::size_t& skipped,
                        std::vector<InputProblem>& problems,
                        const std::function<void(const Record&, std::size_t)>& handle,
                        const std::function<void(const std::vector<Record>&)>& prepare = {});

// Keeps a problem unless kMaxKeptProblems are kept already.
void keep_problem(std::vector<InputProblem>& problems, InputProblem problem);

}  // namespace distill::format
