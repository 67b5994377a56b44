#include "format/json_fields.h"

#include <algorithm>
#include <iterator>

#include "corpus/json_syntax.h"
#include "corpus/text.h"
#include "distill/error.h"

namespace distill::format {

JsonFields::JsonFields(const Record& json, std::string where, const std::vector<std::string>& known)
    : json_(json), where_(std::move(where)) {
    if (!json_.is_object()) throw Error(where_ + ": expected a JSON object, found " + corpus::describe_type(json_));
    for (const auto& [key, value] : json_.items()) {
        if (std::find(known.begin(), known.end(), key) != known.end()) continue;
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        throw Error(where_ + ": unknown key " + corpus::json_quoted(key) + "; the keys are " + list);
    }
}

const Record* JsonFields::find(const char* key) const {
    const auto it = json_.find(key);
    return it == json_.end() ? nullptr : &*it;
}

void JsonFields::wrong_type(const char* key, const char* expected) const {
    throw Error(where_ + ": " + corpus::json_quoted(key) + " holds " + corpus::describe_type(*find(key)) + ", not " +
                expected);
}

void JsonFields::required(const char* key, std::string& out) const {
    if (!find(key)) throw Error(where_ + ": the key " + corpus::json_quoted(key) + " is missing");
    optional(key, out);
}

void JsonFields::optional(const char* key, std::string& out) const {
    const Record* v = find(key);
    if (!v) return;
    if (!v->is_string()) wrong_type(key, "a string");
    out = v->get<std::string>();
}

void JsonFields::optional(const char* key, int& out) const {
    const Record* v = find(key);
    if (!v) return;
    if (!v->is_number_integer()) wrong_type(key, "an integer");
    out = v->get<int>();
}

void JsonFields::optional(const char* key, bool& out) const {
    const Record* v = find(key);
    if (!v) return;
    if (!v->is_boolean()) wrong_type(key, "true or false");
    out = v->get<bool>();
}

void JsonFields::optional(const char* key, std::vector<std::string>& out) const {
    const Record* v = find(key);
    if (!v) return;
    if (!v->is_array() || std::any_of(v->begin(), v->end(), [](const Record& s) { return !s.is_string(); }))
        wrong_type(key, "a list of strings");
    out = v->get<std::vector<std::string>>();
}

const Record& JsonFields::object(const char* key) const {
    const Record* v = find(key);
    if (!v) throw Error(where_ + ": the key " + corpus::json_quoted(key) + " is missing");
    if (!v->is_object()) wrong_type(key, "an object");
    return *v;
}

Record parse_json_file(std::istream& in, const std::string& path) {
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    try {
        return Record::parse(text);
    } catch (const Record::parse_error& e) {
        // nlohmann's byte is 1-based and may be one past the end.
        const std::size_t at = std::min<std::size_t>(e.byte ? e.byte - 1 : 0, text.size());
        const std::size_t line_start = text.rfind('\n', at ? at - 1 : 0);
        const std::size_t line = 1 + std::count(text.begin(), text.begin() + at, '\n');
        const std::size_t column = line_start == std::string::npos || at == 0 ? at + 1 : at - line_start;
        throw Error(located_message(path, line, corpus::json_syntax_problem(e, column), "fix the file"));
    }
}

}  // namespace distill::format
