// `distill tokens`: the embedding model's input ids for each line of a JSONL
// file (SPEC §9), one {"input_ids": [...]} per line in input order, specials
// included and truncated as the model will see them: how the tokenizer is
// checked against the reference without running the model.
#include <charconv>
#include <cstdio>
#include <fstream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "distill/atomic_file.h"
#include "distill/error.h"
#include "distill/text_tokenizer.h"
#include "terminal_progress.h"

namespace distill::cli {
namespace {

struct TokensOptions {
    std::string model;
    std::string input;
    std::string field = "text";
    std::string output;
};

bool is_blank(const std::string& line) {
    return line.find_first_not_of(" \t\r") == std::string::npos;
}

// "a number", "an array", "null": a JSON value's type in a sentence.
std::string described(const nlohmann::json& value) {
    const std::string type = value.type_name();
    if (value.is_null()) return type;
    return (type[0] == 'a' || type[0] == 'o' ? "an " : "a ") + type;
}

// The text field of one input line; a problem names the file and the line.
const std::string& text_of(const nlohmann::json& row, const TokensOptions& o, std::size_t line_number) {
    if (!row.is_object())
        throw Error(located_message(o.input, line_number, "is " + described(row) + ", not a JSON object",
                                    "write one object per line, e.g. {\"" + o.field + "\": \"...\"}"));
    const auto it = row.find(o.field);
    if (it == row.end())
        throw Error(located_message(o.input, line_number, "has no \"" + o.field + "\" field",
                                    "name the text field with --field"));
    if (!it->is_string())
        throw Error(located_message(o.input, line_number,
                                    "field \"" + o.field + "\" is " + described(*it) + ", not a string",
                                    "every line needs its text as a JSON string"));
    return it->get_ref<const std::string&>();
}

void append_ids(std::string& out, const std::vector<std::int32_t>& ids) {
    out += "{\"input_ids\": [";
    char number[16];
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i) out += ", ";
        const auto end = std::to_chars(number, number + sizeof number, ids[i]).ptr;
        out.append(number, end);
    }
    out += "]}\n";
}

void run_tokens(const TokensOptions& o) {
    const auto tokenizer = WordPieceTokenizer::from_model_dir(o.model);
    std::ifstream in(o.input, std::ios::binary);
    if (!in) throw Error(located_message(o.input, 0, "cannot open the input", "check the path"));
    in.seekg(0, std::ios::end);
    const auto bytes = static_cast<std::uint64_t>(in.tellg());
    in.seekg(0);

    TerminalProgress progress;
    std::size_t line_number = 0, rows = 0, tokens = 0, at_limit = 0;
    write_file_atomically(o.output, [&](std::ostream& out) {
        std::string line, record;
        std::vector<std::int32_t> ids;
        while (std::getline(in, line)) {
            ++line_number;
            if (line_number == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);  // an editor's BOM
            if (is_blank(line)) continue;
            nlohmann::json row;
            try {
                row = nlohmann::json::parse(line);
            } catch (const nlohmann::json::parse_error& e) {
                throw Error(located_message(o.input, line_number, std::string("is not valid JSON (") + e.what() + ")",
                                            "write one JSON object per line"));
            }
            tokenizer.encode(text_of(row, o, line_number), ids);
            record.clear();
            append_ids(record, ids);
            out << record;
            ++rows;
            tokens += ids.size();
            if (ids.size() == std::size_t(tokenizer.max_length())) ++at_limit;
            if (rows % 4096 == 0) {
                throw_if_cancelled(&progress);
                progress.update("tokenizing", static_cast<std::uint64_t>(in.tellg()), bytes);
            }
        }
        if (in.bad())
            throw Error(located_message(o.input, line_number, "could not be read to the end", "check the disk"));
    });
    progress.finish();
    std::fprintf(stderr, "tokenized %zu lines of %s into %s: %zu tokens, %zu lines at the maximum length %d\n", rows,
                 o.input.c_str(), o.output.c_str(), tokens, at_limit, tokenizer.max_length());
}

}  // namespace

void add_tokens_command(CLI::App& app) {
    auto o = std::make_shared<TokensOptions>();
    auto* tokens = app.add_subcommand("tokens", "Write the embedding model's token ids of each line");
    tokens->add_option("--model", o->model, "A sentence-transformers model directory (its tokenizer.json)")
        ->required();
    tokens->add_option("--input", o->input, "JSONL, one object per line")->required();
    tokens->add_option("--field", o->field, "The text field")->capture_default_str();
    tokens->add_option("--output", o->output, "JSONL, one {\"input_ids\": [...]} per line")->required();
    tokens->callback([o] { run_tokens(*o); });
}

}  // namespace distill::cli
