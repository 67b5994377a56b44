// JSON: one top-level array of objects, or objects one after another
// (pretty-printed, as json.dump(record, indent=2) in a loop or jq without -c
// write them). nlohmann's SAX interface streams it, and a builder assembles
// one row at a time, so memory holds the largest row rather than the file.
#include <array>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "corpus/json_syntax.h"
#include "corpus/readers.h"
#include "corpus/text.h"

namespace distill::corpus {

namespace {

// A buffered view of the stream that knows where the parser is. SAX events
// carry no position, so this is how a bad element gets a line number.
class PositionedInput {
public:
    // The input iterator nlohmann's iterator_input_adapter reads through.
    class Iterator {
    public:
        using iterator_category = std::input_iterator_tag;
        using value_type = char;
        using difference_type = std::ptrdiff_t;
        using pointer = const char*;
        using reference = char;

        explicit Iterator(PositionedInput* input = nullptr) : input_(input) {}
        char operator*() const { return input_->current(); }
        Iterator& operator++() {
            input_->advance();
            return *this;
        }
        // Only "at the end or not" matters to the adapter; nullptr is the end.
        bool operator==(const Iterator& other) const { return at_end() == other.at_end(); }

    private:
        bool at_end() const { return input_ == nullptr || input_->at_end(); }
        PositionedInput* input_;
    };

    explicit PositionedInput(std::istream& in) : in_(in) { refill(); }

    Iterator begin() { return Iterator(this); }
    static Iterator end() { return Iterator(); }

    // Line and column (in bytes, from 1) of the last byte handed out, which
    // is where the parser stands when it reports an event or an error.
    std::size_t line() const { return newlines_ + 1; }
    std::size_t column() const { return static_cast<std::size_t>(consumed_ - line_start_); }
    std::uint64_t consumed() const { return consumed_; }

    // Past spaces, tabs and line ends; whether anything follows them.
    bool skip_whitespace() {
        while (!at_end() && (current() == ' ' || current() == '\t' || current() == '\r' || current() == '\n'))
            advance();
        return !at_end();
    }

private:
    char current() const { return buffer_[next_]; }
    bool at_end() const { return next_ == size_; }

    // A newline is counted when the byte after it is handed out, so that the
    // newline itself, and a value the lexer ended by peeking at it, still
    // belong to the line they end.
    void advance() {
        if (after_newline_) {
            ++newlines_;
            line_start_ = consumed_;
        }
        after_newline_ = buffer_[next_] == '\n';
        ++consumed_;
        if (++next_ == size_) refill();
    }

    void refill() {
        in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
        size_ = static_cast<std::size_t>(in_.gcount());
        next_ = 0;
    }

    std::istream& in_;
    std::array<char, 64 * 1024> buffer_{};
    std::size_t next_ = 0;
    std::size_t size_ = 0;
    std::uint64_t consumed_ = 0;
    std::uint64_t line_start_ = 0;  // offset of the first byte of the current line
    std::size_t newlines_ = 0;      // before the current line
    bool after_newline_ = false;    // the last byte handed out was '\n'
};

// Assembles one JSON value from SAX events. Parent containers are never
// touched while a child is open, so the pointers to them stay valid.
class ValueBuilder {
public:
    bool building() const { return !open_.empty(); }

    void add(Record&& value) { place(std::move(value)); }
    void open(Record&& container) { open_.push_back(place(std::move(container))); }
    void close() { open_.pop_back(); }
    void key(std::string&& name) { key_ = std::move(name); }

    Record take() { return std::move(root_); }

private:
    Record* place(Record&& value) {
        if (open_.empty()) {
            root_ = std::move(value);
            return &root_;
        }
        Record& parent = *open_.back();
        if (parent.is_array()) {
            parent.push_back(std::move(value));
            return &parent.back();
        }
        Record& slot = parent[key_];
        slot = std::move(value);
        return &slot;
    }

    Record root_;
    std::vector<Record*> open_;
    std::string key_;
};

// nlohmann's SAX handler: hands each row (an element of a top-level array,
// or a top-level object) to the intake as soon as it is complete.
class JsonRowHandler {
public:
    using number_integer_t = Record::number_integer_t;
    using number_unsigned_t = Record::number_unsigned_t;
    using number_float_t = Record::number_float_t;
    using string_t = Record::string_t;
    using binary_t = Record::binary_t;

    JsonRowHandler(RowIntake& rows, const PositionedInput& input)
        : rows_(rows), input_(input) {}

    bool null() { return value(Record(nullptr)); }
    bool boolean(bool v) { return value(Record(v)); }
    bool number_integer(number_integer_t v) { return value(Record(v)); }
    bool number_unsigned(number_unsigned_t v) { return value(Record(v)); }
    bool number_float(number_float_t v, const string_t&) { return value(Record(v)); }
    bool string(string_t& v) { return value(Record(std::move(v))); }
    bool binary(binary_t& v) { return value(Record::binary(std::move(v))); }

    bool start_object(std::size_t) {
        builder_.open(Record::object());
        return true;
    }
    bool key(string_t& name) {
        builder_.key(std::move(name));
        return true;
    }
    bool end_object() { return close_container(); }

    bool start_array(std::size_t) {
        if (builder_.building() || in_top_array_)
            builder_.open(Record::array());
        else
            in_top_array_ = true;  // the rows' array
        return true;
    }
    bool end_array() {
        if (builder_.building()) return close_container();
        in_top_array_ = false;  // the top-level array itself
        return true;
    }

    bool parse_error(std::size_t, const std::string&, const std::exception& error) {
        rows_.fail(input_.line(), json_syntax_problem(error, input_.column()),
                   "fix the file: JSON cannot be read past a syntax error (JSONL, one object per "
                   "line, can skip bad lines)");
    }

private:
    bool value(Record&& v) {
        if (!in_top_array_ && !builder_.building()) not_rows(describe_type(v));
        builder_.add(std::move(v));
        if (!builder_.building()) deliver();
        return true;
    }

    bool close_container() {
        builder_.close();
        if (!builder_.building()) deliver();
        return true;
    }

    // Reported at the line where the element ends: that is where the parser
    // is when the element is complete.
    void deliver() {
        rows_.accept(input_.line(), builder_.take());
        rows_.consumed(input_.consumed());
    }

    [[noreturn]] void not_rows(const std::string& found) const {
        rows_.fail(input_.line(), "expected a JSON array of objects or objects one after another, found " + found,
                   "make each row a JSON object");
    }

    RowIntake& rows_;
    const PositionedInput& input_;
    ValueBuilder builder_;
    bool in_top_array_ = false;
};

}  // namespace

void read_json(std::istream& in, RowIntake& rows) {
    PositionedInput input(in);
    JsonRowHandler handler(rows, input);
    // One top-level value at a time: the parser stops right after each
    // (not strict), where the next one starts.
    do {
        Record::sax_parse(input.begin(), input.end(), &handler, nlohmann::json::input_format_t::json,
                          /*strict=*/false);
    } while (input.skip_whitespace());
}

}  // namespace distill::corpus
