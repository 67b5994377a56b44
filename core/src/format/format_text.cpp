#include "format/format_text.h"

#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <charconv>
#include <cstdint>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <sstream>

#include "corpus/json_syntax.h"
#include "corpus/text.h"
#include "distill/error.h"
#include "distill/format.h"
#include "distill/progress.h"

namespace distill {

namespace {

// Decodes the UTF-8 code point at text[i] and advances i. nlohmann only
// accepts valid UTF-8, so every string reaching here is well formed.
std::uint32_t next_code_point(std::string_view text, std::size_t& i) {
    const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(text[k]); };
    const std::uint8_t b0 = byte(i);
    if (b0 < 0x80) return ++i, b0;
    const int extra = b0 >= 0xF0 ? 3 : b0 >= 0xE0 ? 2 : 1;
    std::uint32_t cp = b0 & (0x3F >> extra);
    for (int k = 1; k <= extra && i + k < text.size(); ++k) cp = (cp << 6) | (byte(i + k) & 0x3F);
    i += extra + 1;
    return cp;
}

void append_u_escape(std::string& out, std::uint32_t unit) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(unit & 0xFFFF));
    out += buf;
}

// json.dumps' string literal with ensure_ascii: the short escapes, and
// everything else outside ' '..'~' (DEL included) as lower-case \uXXXX,
// astral characters as surrogate pairs.
void append_json_string(std::string& out, std::string_view text) {
    out += '"';
    for (std::size_t i = 0; i < text.size();) {
        const std::uint32_t cp = next_code_point(text, i);
        switch (cp) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (cp < 0x20 || cp > 0x7E) {
                    if (cp >= 0x10000) {
                        const std::uint32_t v = cp - 0x10000;
                        append_u_escape(out, 0xD800 | (v >> 10));
                        append_u_escape(out, 0xDC00 | (v & 0x3FF));
                    } else {
                        append_u_escape(out, cp);
                    }
                } else {
                    out += static_cast<char>(cp);
                }
        }
    }
    out += '"';
}

// Python's str.isprintable() of one code point: false for the Unicode
// categories "Other" (Cc, Cf, Cs, Co, Cn) and "Separator" (Zl, Zp, Zs)
// except the ASCII space. The categories are ICU's (Unicode 15.0 in
// Debian 12's ICU 72, as in Python 3.12); a Python on an older Unicode
// escapes the characters assigned since, as unassigned (Cn).
bool python_printable(std::uint32_t cp) {
    if (cp == ' ') return true;
    switch (u_charType(static_cast<UChar32>(cp))) {
        case U_CONTROL_CHAR:
        case U_FORMAT_CHAR:
        case U_SURROGATE:
        case U_PRIVATE_USE_CHAR:
        case U_UNASSIGNED:
        case U_LINE_SEPARATOR:
        case U_PARAGRAPH_SEPARATOR:
        case U_SPACE_SEPARATOR: return false;
        default: return true;
    }
}

// Python's repr() of a str: single quotes unless the text holds a single
// quote and no double quote; backslash and the quote escaped, \n \r \t, and
// every other code point that is not printable as \xhh, \uhhhh or
// \Uhhhhhhhh (a zero-width space inside a list answer is written \u200b).
void append_string_repr(std::string& out, std::string_view text) {
    const bool double_quoted = text.find('\'') != std::string_view::npos && text.find('"') == std::string_view::npos;
    const char quote = double_quoted ? '"' : '\'';
    out += quote;
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t start = i;
        const std::uint32_t cp = next_code_point(text, i);
        if (cp == std::uint32_t(quote) || cp == '\\') {
            out += '\\';
            out += char(cp);
        } else if (cp == '\n') {
            out += "\\n";
        } else if (cp == '\r') {
            out += "\\r";
        } else if (cp == '\t') {
            out += "\\t";
        } else if (!python_printable(cp)) {
            char buf[16];
            std::snprintf(buf, sizeof buf, cp <= 0xFF ? "\\x%02x" : cp <= 0xFFFF ? "\\u%04x" : "\\U%08x", unsigned(cp));
            out += buf;
        } else {
            out.append(text.substr(start, i - start));
        }
    }
    out += quote;
}

// Python's repr() of a float (what str() and json.dumps() write too): the
// shortest digits that read back as the same double, as std::to_chars
// gives them, laid out positionally while the decimal point is at most 16
// digits right of the first digit and at most 4 zeros left of it, else as
// d.ddde+XX. nlohmann's own dump switches to exponents one digit earlier
// (1e+15 where Python writes 1000000000000000.0).
std::string python_float_repr(double value) {
    if (std::isnan(value)) return "nan";  // JSON files cannot hold these; Records made in code can
    if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    std::string_view text(buf, std::size_t(end - buf));  // "-1.2345e+15", "0e+00"
    std::string out;
    if (!text.empty() && text.front() == '-') {
        out += '-';
        text.remove_prefix(1);
    }
    const std::size_t e = text.find('e');
    std::string digits(text.substr(0, e));
    if (digits.size() > 1) digits.erase(1, 1);  // the point after the first digit
    const int exponent = std::stoi(std::string(text.substr(e + 1)));
    const int point = exponent + 1;  // value = 0.DIGITS x 10^point
    const int count = int(digits.size());
    if (point > -4 && point <= 16) {
        if (point <= 0) out += "0." + std::string(std::size_t(-point), '0') + digits;
        else if (point >= count) out += digits + std::string(std::size_t(point - count), '0') + ".0";
        else out += digits.substr(0, std::size_t(point)) + "." + digits.substr(std::size_t(point));
        return out;
    }
    out += digits.substr(0, 1);
    if (count > 1) out += "." + digits.substr(1);
    std::snprintf(buf, sizeof buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out + buf;
}

std::string number_text(const Record& value) {
    return value.is_number_float() ? python_float_repr(value.get<double>()) : value.dump();
}

// Python's repr() of a list or dict and json.dumps() walk containers alike
// (", " between items, ": " after keys); they differ only in how strings
// and scalars are written, which `leaf` does.
template <class Leaf>
void append_nested(std::string& out, const Record& value, const Leaf& leaf) {
    switch (value.type()) {
        case Record::value_t::array: {
            out += '[';
            bool first = true;
            for (const auto& item : value) {
                if (!first) out += ", ";
                first = false;
                append_nested(out, item, leaf);
            }
            out += ']';
            break;
        }
        case Record::value_t::object: {
            out += '{';
            bool first = true;
            for (const auto& [key, item] : value.items()) {
                if (!first) out += ", ";
                first = false;
                leaf(out, Record(key));
                out += ": ";
                append_nested(out, item, leaf);
            }
            out += '}';
            break;
        }
        default: leaf(out, value);
    }
}

void append_python_repr(std::string& out, const Record& value) {
    append_nested(out, value, [](std::string& o, const Record& v) {
        if (v.is_string()) append_string_repr(o, v.get_ref<const std::string&>());
        else o += python_str(v);
    });
}

void append_json(std::string& out, const Record& value) {
    append_nested(out, value, [](std::string& o, const Record& v) {
        switch (v.type()) {
            case Record::value_t::string: append_json_string(o, v.get_ref<const std::string&>()); break;
            case Record::value_t::boolean: o += v.get<bool>() ? "true" : "false"; break;
            case Record::value_t::null: o += "null"; break;
            default: o += number_text(v);
        }
    });
}

}  // namespace

std::string python_str(const Record& value) {
    switch (value.type()) {
        case Record::value_t::string: return value.get<std::string>();
        case Record::value_t::boolean: return value.get<bool>() ? "True" : "False";
        case Record::value_t::null: return "None";
        case Record::value_t::array:
        case Record::value_t::object: {
            std::string out;
            append_python_repr(out, value);
            return out;
        }
        default: return number_text(value);
    }
}

std::string python_json_dumps(const Record& value) {
    std::string out;
    append_json(out, value);
    return out;
}

namespace format {

std::string python_replace(std::string text, std::string_view from, std::string_view to) {
    if (from.empty()) return text;
    std::string out;
    std::size_t start = 0;
    for (std::size_t hit; (hit = text.find(from, start)) != std::string::npos; start = hit + from.size()) {
        out.append(text, start, hit - start);
        out.append(to);
    }
    if (start == 0) return text;
    out.append(text, start, std::string::npos);
    return out;
}

bool python_truthy(const Record& value) {
    switch (value.type()) {
        case Record::value_t::null: return false;
        case Record::value_t::boolean: return value.get<bool>();
        case Record::value_t::string: return !value.get_ref<const std::string&>().empty();
        case Record::value_t::array:
        case Record::value_t::object: return !value.empty();
        case Record::value_t::number_float: return value.get<double>() != 0.0;
        default: return value != 0;
    }
}

std::string with_last_character_upper(const std::string& text) {
    if (text.empty()) return text;
    std::size_t last = text.size() - 1;
    while (last > 0 && (static_cast<unsigned char>(text[last]) & 0xC0) == 0x80) --last;
    // Python's str.upper() is the full Unicode mapping ("ß" -> "SS"), which
    // ICU's root-locale toUpper is too.
    std::string upper;
    icu::UnicodeString::fromUTF8(icu::StringPiece(text.data() + last, static_cast<std::int32_t>(text.size() - last)))
        .toUpper(icu::Locale::getRoot())
        .toUTF8String(upper);
    return text.substr(0, last) + upper;
}

std::size_t count_single_space_words(std::string_view text) { return count_spaces(text) + 1; }

std::string field_list(const Record& record) {
    std::string out;
    for (const auto& [key, value] : record.items()) {
        if (!out.empty()) out += ", ";
        out += corpus::json_quoted(key);
    }
    return out.empty() ? "no fields" : out;
}

namespace {

// A placeholder's name is an identifier: a letter or '_', then letters,
// digits and '_'.
bool is_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_part(char c) { return is_start(c) || (c >= '0' && c <= '9'); }

}  // namespace

PlaceholderText::PlaceholderText(const std::string& text) {
    std::string literal;
    for (std::size_t i = 0; i < text.size();) {
        if (text[i] == '{' && i + 1 < text.size() && is_start(text[i + 1])) {
            std::size_t end = i + 1;
            while (end < text.size() && is_part(text[end])) ++end;
            if (end < text.size() && text[end] == '}') {
                literals_.push_back(std::move(literal));
                literal.clear();
                names_.push_back(text.substr(i + 1, end - i - 1));
                i = end + 1;
                continue;
            }
        }
        literal += text[i++];
    }
    literals_.push_back(std::move(literal));
}

std::string PlaceholderText::render(const std::function<std::string(const std::string&)>& value) const {
    if (literals_.empty()) return {};
    std::string out = literals_[0];
    for (std::size_t i = 0; i < names_.size(); ++i) {
        out += value(names_[i]);
        out += literals_[i + 1];
    }
    return out;
}

const std::string* PlaceholderText::sole_placeholder() const {
    if (names_.size() == 1 && literals_[0].empty() && literals_[1].empty()) return &names_[0];
    return nullptr;
}

void keep_problem(std::vector<InputProblem>& problems, InputProblem problem) {
    if (problems.size() < CorpusReport::kMaxKeptProblems) problems.push_back(std::move(problem));
}

void for_each_json_line(std::istream& in, const std::string& input_name, BadInputPolicy policy,
                        ProgressSink* progress, const char* stage, std::size_t& read, std::size_t& skipped,
                        std::vector<InputProblem>& problems,
                        const std::function<void(const Record&, std::size_t)>& handle,
                        const std::function<void(const std::vector<Record>&)>& prepare) {
    const auto problem = [&](std::size_t line, const std::string& what, const std::string& fix) {
        if (policy == BadInputPolicy::Abort) throw Error(located_message(input_name, line, what, fix));
        ++skipped;
        keep_problem(problems, {input_name, line, fix.empty() ? what : what + "; " + fix});
    };
    // The lines read since the last cancel poll, parsed or not, are handled
    // together at the next poll (or the end), so that `prepare` sees them
    // all at once; counts, problems and handle() go in line order exactly as
    // if each line were handled as soon as it was read.
    struct PendingLine {
        std::size_t number;
        bool parsed;  // into records[], in order; else not JSON, for the reason below
        std::string what, fix;
    };
    std::vector<PendingLine> pending;
    std::vector<Record> records;
    const auto handle_pending = [&] {
        if (prepare && !records.empty()) prepare(records);
        std::size_t next = 0;
        for (const PendingLine& line : pending) {
            ++read;
            if (!line.parsed) {
                problem(line.number, line.what, line.fix);
                continue;
            }
            const Record& record = records[next++];
            try {
                handle(record, line.number);
            } catch (const Cancelled&) {
                throw;
            } catch (const Error& error) {
                problem(line.number, error.what(), "");
            }
        }
        pending.clear();
        records.clear();
    };
    // Progress in bytes against the stream's size when it can tell (files
    // and strings can; a pipe cannot, and reports 0: unknown).
    std::uint64_t total = 0, consumed = 0;
    if (const auto start = in.tellg(); start != std::istream::pos_type(-1) && in.seekg(0, std::ios::end)) {
        total = static_cast<std::uint64_t>(in.tellg() - start);
        in.seekg(start);
    }
    in.clear();
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        consumed += line.size() + 1;
        if (number == 1) corpus::strip_utf8_bom(line);
        if (number % 256 == 0) {
            handle_pending();
            throw_if_cancelled(progress);
            if (progress) progress->update(stage, consumed, total);
        }
        if (corpus::is_blank(line)) continue;
        try {
            records.push_back(Record::parse(line));
            pending.push_back({number, true, {}, {}});
        } catch (const Record::parse_error& error) {
            if (const auto bad = corpus::find_invalid_utf8(line))
                pending.push_back({number, false, "invalid UTF-8 at byte " + std::to_string(*bad + 1) + " of the line",
                                   std::string(corpus::kConvertToUtf8)});
            else
                pending.push_back(
                    {number, false, corpus::json_syntax_problem(error, error.byte), "fix or delete the line"});
        }
    }
    handle_pending();
    if (in.bad()) throw Error(input_name + ": reading failed after line " + std::to_string(number));
    if (progress) progress->update(stage, total ? total : consumed, total ? total : consumed);
}

}  // namespace format

std::vector<std::string> placeholder_warnings(const std::string& text) {
    using format::is_part;
    using format::is_start;
    std::vector<std::string> warnings;
    const auto skip_spaces = [&](std::size_t i) {
        while (i < text.size() && text[i] == ' ') ++i;
        return i;
    };
    for (std::size_t open = text.find('{'); open != std::string::npos; open = text.find('{', open + 1)) {
        const std::size_t start = skip_spaces(open + 1);
        if (start >= text.size() || !is_start(text[start])) continue;  // "{}", "{\"key\"": plain text
        std::size_t end = start;
        while (end < text.size() && is_part(text[end])) ++end;
        const std::string name = text.substr(start, end - start);
        const std::size_t close = skip_spaces(end);
        if (start == open + 1 && end < text.size() && text[end] == '}') continue;  // a placeholder
        if (close < text.size() && text[close] == '}')
            warnings.push_back("\"" + text.substr(open, close + 1 - open) +
                               "\" is not a placeholder (no spaces inside the braces) and is written as is; write {" +
                               name + "}");
        else
            warnings.push_back("\"" + text.substr(open, end - open) +
                               "\" has no closing \"}\" and is written as is; write {" + name + "}");
    }
    return warnings;
}

}  // namespace distill
