#pragma once
// The format readers. Each streams `in` once, hands every row to `rows` with
// its line number, and keeps no more than one line or element in memory.
#include <istream>

#include "corpus/row_intake.h"

namespace distill::corpus {

void read_jsonl(std::istream& in, RowIntake& rows);
// A top-level array of objects, or objects one after another, in any layout.
void read_json(std::istream& in, RowIntake& rows);
// CSV (delimiter ',') and TSV (delimiter '\t'): the header row names the fields.
void read_delimited(std::istream& in, char delimiter, RowIntake& rows);

}  // namespace distill::corpus
