#include "jsonl_texts.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "distill/error.h"

namespace distill::cli {
namespace {

bool is_blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

// "a number", "an array", "null": a JSON value's type in a sentence.
std::string described(const nlohmann::json& value) {
    const std::string type = value.type_name();
    if (value.is_null()) return type;
    return (type[0] == 'a' || type[0] == 'o' ? "an " : "a ") + type;
}

// The text field of one input line; a problem names the file and the line.
const std::string& text_of(const nlohmann::json& row, const std::string& path, const std::string& field,
                           std::size_t line_number) {
    if (!row.is_object())
        throw Error(located_message(path, line_number, "is " + described(row) + ", not a JSON object",
                                    "write one object per line, e.g. {\"" + field + "\": \"...\"}"));
    const auto it = row.find(field);
    if (it == row.end())
        throw Error(located_message(path, line_number, "has no \"" + field + "\" field",
                                    "name the text field with --field"));
    if (!it->is_string())
        throw Error(located_message(path, line_number,
                                    "field \"" + field + "\" is " + described(*it) + ", not a string",
                                    "every line needs its text as a JSON string"));
    return it->get_ref<const std::string&>();
}

}  // namespace

void for_each_jsonl_text(const std::string& path, const std::string& field, ProgressSink& progress,
                         const char* stage, const std::function<void(const std::string& text)>& each) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(located_message(path, 0, "cannot open the input", "check the path"));
    in.seekg(0, std::ios::end);
    const auto bytes = static_cast<std::uint64_t>(in.tellg());
    in.seekg(0);
    std::size_t line_number = 0, rows = 0;
    std::string line;
    while (std::getline(in, line)) {
        ++line_number;
        if (line_number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // an editor's BOM
        if (is_blank(line)) continue;
        nlohmann::json row;
        try {
            row = nlohmann::json::parse(line);
        } catch (const nlohmann::json::parse_error& e) {
            throw Error(located_message(path, line_number, std::string("is not valid JSON (") + e.what() + ")",
                                        "write one JSON object per line"));
        }
        each(text_of(row, path, field, line_number));
        if (++rows % 4096 == 0) {
            throw_if_cancelled(&progress);
            progress.update(stage, static_cast<std::uint64_t>(in.tellg()), bytes);
        }
    }
    if (in.bad()) throw Error(located_message(path, line_number, "could not be read to the end", "check the disk"));
    // An empty matrix or id list is never what was meant (a wrong or
    // truncated file), and every later stage would refuse it anyway.
    if (rows == 0)
        throw Error(located_message(path, 0, "the file holds no JSON lines (it is empty or blank)",
                                    "give the JSONL file of texts, one {\"" + field + "\": \"...\"} per line"));
}

std::vector<std::string> read_jsonl_texts(const std::string& path, const std::string& field, ProgressSink& progress) {
    std::vector<std::string> texts;
    for_each_jsonl_text(path, field, progress, "reading", [&](const std::string& text) { texts.push_back(text); });
    return texts;
}

}  // namespace distill::cli
