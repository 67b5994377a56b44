// CSV and TSV through libcsv in strict mode. The header row names the
// fields; every value is a string, exactly as written.
#include <csv.h>

#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "corpus/line_reader.h"
#include "corpus/readers.h"
#include "corpus/text.h"

namespace distill::corpus {

namespace {

// libcsv trims spaces and tabs around unquoted fields by default; pandas,
// which the Hugging Face CSV loader uses, keeps them, and so do we.
int no_space_is_padding(unsigned char) { return 0; }

// Lines are fed to libcsv one at a time, which is what gives every row its
// line number. A row is reported at the line where it starts (a quoted field
// may run over several lines); a syntax error at the line where it is.
class DelimitedReader {
public:
    DelimitedReader(char delimiter, RowIntake& rows) : delimiter_(delimiter), rows_(rows) {
        start_parser();
    }
    ~DelimitedReader() { csv_free(&parser_); }
    DelimitedReader(const DelimitedReader&) = delete;
    DelimitedReader& operator=(const DelimitedReader&) = delete;

    void read(std::istream& in) {
        for_each_line(in, rows_,
                      [this](std::string& line, std::size_t number, bool ends_with_newline) {
                          if (ends_with_newline) line.push_back('\n');
                          feed(line, number);
                      });
        finish_input();
    }

private:
    struct ParsedRow {
        std::size_t line;
        std::vector<std::string> fields;
    };

    // libcsv's callbacks only collect: the rows are checked after csv_parse
    // returns, because a rejected row may throw and an exception must not
    // unwind through libcsv's C frames.
    static void on_field(void* text, std::size_t size, void* self) {
        auto& reader = *static_cast<DelimitedReader*>(self);
        reader.fields_.emplace_back(size ? std::string(static_cast<const char*>(text), size)
                                         : std::string());
    }
    static void on_row_end(int, void* self) {
        auto& reader = *static_cast<DelimitedReader*>(self);
        reader.parsed_.push_back({reader.row_line_, std::move(reader.fields_)});
        reader.fields_.clear();
        reader.row_line_ = 0;
    }

    void start_parser() {
        if (csv_init(&parser_, CSV_STRICT | CSV_STRICT_FINI) != 0)
            rows_.fail(0, "cannot start the CSV parser (out of memory)", "free some memory");
        csv_set_delim(&parser_, static_cast<unsigned char>(delimiter_));
        csv_set_space_func(&parser_, no_space_is_padding);
    }

    void feed(const std::string& text, std::size_t line_number) {
        // libcsv skips empty lines, so a row starts at the first line with content.
        if (row_line_ == 0 && text.find_first_not_of("\r\n") != std::string::npos)
            row_line_ = line_number;
        const std::size_t parsed =
            csv_parse(&parser_, text.data(), text.size(), on_field, on_row_end, this);
        handle_parsed_rows();
        if (parsed < text.size()) drop_malformed_row(line_number, parsed + 1);
    }

    void finish_input() {
        const bool closed = csv_fini(&parser_, on_field, on_row_end, this) == 0;
        handle_parsed_rows();
        if (!closed)
            reject_row(row_line_, "a quoted field is never closed",
                       "close the quote (only quoted fields may span lines)");
    }

    // Strict mode stops at a stray quote; the parser starts afresh on the next line.
    void drop_malformed_row(std::size_t line_number, std::size_t column) {
        const int error = csv_error(&parser_);
        csv_free(&parser_);
        start_parser();
        fields_.clear();
        row_line_ = 0;
        if (error != CSV_EPARSE)
            rows_.fail(line_number, std::string("cannot parse: ") + csv_strerror(error),
                       "free some memory");
        reject_row(line_number,
                   "malformed " + format_name() + " at column " + std::to_string(column) +
                       ": a quote inside an unquoted field, or text after a closing quote",
                   "quote the whole field and double each quote inside it");
    }

    void handle_parsed_rows() {
        for (ParsedRow& row : parsed_) {
            if (header_.empty())
                take_header(row);
            else
                take_record(row);
        }
        parsed_.clear();
    }

    void take_header(ParsedRow& row) {
        std::unordered_set<std::string_view> seen;
        for (const std::string& name : row.fields) {
            if (const auto bad = find_invalid_utf8(name))
                reject_row(row.line,
                           "invalid UTF-8 in a column name at byte " + std::to_string(*bad + 1),
                           std::string(kConvertToUtf8));
            if (!seen.insert(name).second)
                reject_row(row.line, "the header names column " + json_quoted(name) + " twice",
                           "give every column its own name");
        }
        header_ = std::move(row.fields);
    }

    void take_record(ParsedRow& row) {
        if (row.fields.size() != header_.size()) {
            reject_row(row.line,
                       "the row has " + std::to_string(row.fields.size()) + " fields, the header " +
                           std::to_string(header_.size()),
                       "make the row match the header; quote fields that hold the delimiter or a "
                       "line break");
            return;
        }
        Record record = Record::object();
        for (std::size_t i = 0; i < header_.size(); ++i) {
            if (const auto bad = find_invalid_utf8(row.fields[i])) {
                reject_row(row.line,
                           "invalid UTF-8 in column " + json_quoted(header_[i]) + " at byte " +
                               std::to_string(*bad + 1),
                           std::string(kConvertToUtf8));
                return;
            }
            record.emplace(header_[i], std::move(row.fields[i]));
        }
        rows_.accept(row.line, std::move(record));
    }

    // Every row depends on the header, so a bad header ends the file under
    // either policy (see RowIntake::fail).
    void reject_row(std::size_t line, const std::string& problem, const std::string& fix) {
        if (header_.empty()) rows_.fail(line, "unreadable header row: " + problem, fix);
        rows_.reject(line, problem, fix);
    }

    std::string format_name() const { return delimiter_ == '\t' ? "TSV" : "CSV"; }

    csv_parser parser_{};
    const char delimiter_;
    RowIntake& rows_;
    std::vector<std::string> header_;
    std::vector<std::string> fields_;  // of the row being parsed
    std::size_t row_line_ = 0;         // where the row being parsed starts; 0 between rows
    std::vector<ParsedRow> parsed_;    // rows libcsv completed in the last call
};

}  // namespace

void read_delimited(std::istream& in, char delimiter, RowIntake& rows) {
    DelimitedReader(delimiter, rows).read(in);
}

}  // namespace distill::corpus
