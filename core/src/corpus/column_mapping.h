#pragma once
// Turns a source row into a Record: the source's question and answer
// columns become "question" and "answer" where they stand.
#include <optional>
#include <string>

#include "distill/corpus.h"

namespace distill::corpus {

inline constexpr const char* kQuestion = "question";
inline constexpr const char* kAnswer = "answer";

// Why a row cannot become a record, and what the user can do about it.
struct RowProblem {
    std::string problem;
    std::string fix;
};

// Throws distill::Error when the map cannot work for any row (an empty
// column name, one column for both roles), before anything is read.
void check_column_map(const SourceSpec& source);

// Renames the mapped columns of `row` (a JSON object) in place, keeping every
// other field and the field order. Returns the problem instead when a mapped
// column is missing or the question is not a string; `row` is then unchanged.
std::optional<RowProblem> map_columns(Record& row, const ColumnMap& columns);

}  // namespace distill::corpus
