#pragma once
// The format readers. Each streams `in` once, hands every row to `rows` with
// its line number, and keeps no more than one line or element in memory.
#include <istream>

#include "corpus/row_intake.h"

namespace distill::corpus {

void read_jsonl(std::istream& in, RowIntake& rows);
void read_json_array(std::istream& in, RowIntake& rows);
// CSV (delimiter ',') and TSV (delimiter '\t'): the header row names the fields.
void read_delimited(std::istream& in, char delimiter, RowIntake& rows);

}  // namespace distill::corpus
