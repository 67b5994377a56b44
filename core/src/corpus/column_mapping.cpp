#include "corpus/column_mapping.h"

#include <utility>

#include "corpus/text.h"
#include "distill/error.h"

namespace distill::corpus {

namespace {

// Enough names to recognise the source by; a wide table would not fit a line.
constexpr std::size_t kMaxFieldsListed = 12;

std::string list_fields(const Record& row) {
    std::string list;
    std::size_t listed = 0;
    for (const auto& [key, value] : row.items()) {
        if (listed == kMaxFieldsListed) {
            list += ", ... (" + std::to_string(row.size() - listed) + " more)";
            break;
        }
        if (listed++ > 0) list += ", ";
        list += json_quoted(key);
    }
    return list.empty() ? "no fields at all" : list;
}

RowProblem missing_column(const Record& row, const std::string& role, const std::string& column) {
    return {"no column " + json_quoted(column) + " to use as the " + role + " (the row has " +
                list_fields(row) + ")",
            "fix the source's column map"};
}

// ordered_json keys are const, so the object is rebuilt field by field; each
// mapped value is moved, not copied, and keeps its position.
void rename_in_place(Record& row, const ColumnMap& columns) {
    Record renamed = Record::object();
    for (auto& [key, value] : row.get_ref<Record::object_t&>()) {
        // The mapped columns are tested first, so a map that swaps the two
        // names (question <- "answer", answer <- "question") loses nothing.
        if (key == columns.question) {
            renamed.emplace(kQuestion, std::move(value));
        } else if (key == columns.answer) {
            renamed.emplace(kAnswer, std::move(value));
        } else if (key == kQuestion || key == kAnswer) {
            // An unmapped field that already carries a target name gives way
            // to the mapped column: the user chose which column is the
            // question, and a record holds exactly one. Keeping it under
            // another name would invent a field that the formatting stage
            // would take for a different source's. (The reference's
            // rename_column refuses such a dataset outright.)
            continue;
        } else {
            renamed.emplace(key, std::move(value));
        }
    }
    row = std::move(renamed);
}

}  // namespace

void check_column_map(const SourceSpec& source) {
    const ColumnMap& columns = source.columns;
    if (columns.question.empty() || columns.answer.empty())
        throw Error(located_message(source.path, 0,
                                    "the column map of source " + json_quoted(source.name) +
                                        " leaves the question or answer column empty",
                                    "name both columns"));
    if (columns.question == columns.answer)
        throw Error(located_message(source.path, 0,
                                    "the column map of source " + json_quoted(source.name) +
                                        " uses " + json_quoted(columns.question) +
                                        " for both question and answer",
                                    "map the answer to a different column"));
}

std::optional<RowProblem> map_columns(Record& row, const ColumnMap& columns) {
    const auto question = row.find(columns.question);
    if (question == row.end()) return missing_column(row, kQuestion, columns.question);
    if (!question->is_string())
        return RowProblem{"the question column " + json_quoted(columns.question) + " holds " +
                              describe_type(*question) + ", not a string",
                          "map the question to a text column"};
    const auto answer = row.find(columns.answer);
    if (answer == row.end()) return missing_column(row, kAnswer, columns.answer);
    // Answers take many types (medmcqa's index, BoolQ's boolean, lists of
    // references), but null is an answer left out, which no prompt can use.
    if (answer->is_null())
        return RowProblem{"the answer column " + json_quoted(columns.answer) + " is null",
                          "give the row its answer, or leave the row out"};

    if (columns.question != kQuestion || columns.answer != kAnswer) rename_in_place(row, columns);
    return std::nullopt;
}

}  // namespace distill::corpus
