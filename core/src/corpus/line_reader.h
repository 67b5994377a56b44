#pragma once
// The line loop the line-based readers (JSONL, CSV/TSV) share: numbering,
// the byte order mark, whether the last line was complete, and progress.
#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>

#include "corpus/row_intake.h"
#include "corpus/text.h"

namespace distill::corpus {

// Calls handle(line, line_number, ends_with_newline) for every line of `in`,
// 1-based, with the newline removed and a UTF-8 byte order mark stripped
// from the first line. One line is in memory at a time.
template <class LineHandler>
void for_each_line(std::istream& in, RowIntake& rows, LineHandler&& handle) {
    std::string line;
    std::size_t line_number = 0;
    std::uint64_t consumed = 0;
    while (std::getline(in, line)) {
        ++line_number;
        // getline sets eof on a successful read only when the file ended
        // before a newline: a last line that may have been cut short.
        const bool ends_with_newline = !in.eof();
        consumed += line.size() + (ends_with_newline ? 1 : 0);
        if (line_number == 1) strip_utf8_bom(line);
        handle(line, line_number, ends_with_newline);
        rows.consumed(consumed);
    }
}

}  // namespace distill::corpus
