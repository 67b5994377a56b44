// `distill tokens`: the embedding model's input ids for each line of a JSONL
// file (SPEC §9), one {"input_ids": [...]} per line in input order, specials
// included and truncated as the model will see them: how the tokenizer is
// checked against the reference without running the model.
#include <charconv>
#include <cstdio>
#include <memory>

#include "commands.h"
#include "file_checks.h"
#include "distill/atomic_file.h"
#include "distill/error.h"
#include "distill/text_tokenizer.h"
#include "jsonl_texts.h"
#include "terminal_progress.h"

namespace distill::cli {
namespace {

struct TokensOptions {
    std::string model;
    std::string input;
    std::string field = "text";
    std::string output;
};

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
    check_files({{"--output", o.output}}, {{"--input", o.input}});
    const auto tokenizer = WordPieceTokenizer::from_model_dir(o.model);
    TerminalProgress progress;
    std::size_t rows = 0, tokens = 0, at_limit = 0;
    write_file_atomically(o.output, [&](std::ostream& out) {
        std::string record;
        std::vector<std::int32_t> ids;
        for_each_jsonl_text(o.input, o.field, progress, "tokenizing", [&](const std::string& text) {
            tokenizer.encode(text, ids);
            record.clear();
            append_ids(record, ids);
            out << record;
            ++rows;
            tokens += ids.size();
            if (ids.size() == std::size_t(tokenizer.max_length())) ++at_limit;
        });
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
