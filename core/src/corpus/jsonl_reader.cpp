// JSONL: one JSON object per line, as HF `to_json` writes (also as .json).
#include <string>
#include <utility>

#include "corpus/json_syntax.h"
#include "corpus/line_reader.h"
#include "corpus/readers.h"
#include "corpus/text.h"

namespace distill::corpus {

namespace {

// A line that is not JSON. The likely causes get a fix of their own: a
// last line cut short by an interrupted download or copy, and a file in a
// legacy encoding.
void reject_unparsable(RowIntake& rows, std::size_t line_number, const std::string& line,
                       bool ends_with_newline, const Record::parse_error& error) {
    // nlohmann counts the end of input as one byte past the last.
    const bool ran_out = error.byte > line.size();
    if (ran_out && !ends_with_newline) {
        rows.reject(line_number,
                    "the last line is cut off (" + json_syntax_problem(error, error.byte) + ")",
                    "complete or delete the last line; was the file fully written?");
    } else if (const auto bad = find_invalid_utf8(line)) {
        rows.reject(line_number,
                    "invalid UTF-8 at byte " + std::to_string(*bad + 1) + " of the line",
                    std::string(kConvertToUtf8));
    } else {
        rows.reject(line_number, json_syntax_problem(error, error.byte), "fix or delete the line");
    }
}

void read_line(RowIntake& rows, std::size_t line_number, const std::string& line,
               bool ends_with_newline) {
    Record row;
    try {
        row = Record::parse(line);
    } catch (const Record::parse_error& error) {
        reject_unparsable(rows, line_number, line, ends_with_newline, error);
        return;
    }
    rows.accept(line_number, std::move(row));
}

}  // namespace

void read_jsonl(std::istream& in, RowIntake& rows) {
    for_each_line(in, rows,
                  [&rows](const std::string& line, std::size_t number, bool ends_with_newline) {
                      if (!is_blank(line)) read_line(rows, number, line, ends_with_newline);
                  });
}

}  // namespace distill::corpus
