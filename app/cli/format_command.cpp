// `distill format`: few-shot JSONL to raw {instruction, input, output} JSONL
// with a prompt preset; `distill chat`: OASST trees to raw JSONL with a
// conversation template (SPEC §5, §9). Both stream: one line in, its record
// out, into a file that appears only when complete.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "file_checks.h"
#include "distill/atomic_file.h"
#include "distill/error.h"
#include "distill/format.h"
#include "distill/llm_tokenizer.h"
#include "number_checks.h"
#include "terminal_progress.h"

namespace distill::cli {
namespace {

struct LengthOptions {
    std::string tokenizer;
    int max_seq_len = 0;
    std::string on_bad_line = "abort";
    std::string report;
};

struct FormatOptions : LengthOptions {
    std::string preset;
    std::string input;
    std::string output;
};

struct ChatCommandOptions : LengthOptions {
    std::string oasst;
    std::string chat_template;
    std::string output;
    std::string conversations;
};

void add_length_options(CLI::App* sub, LengthOptions& o, const char* which) {
    auto* tokenizer = sub->add_option("--tokenizer", o.tokenizer,
                                      std::string("The LLM's sentencepiece tokenizer.model for the length check (") +
                                          which + ")");
    auto* max = sub->add_option("--max-seq-len", o.max_seq_len, "Maximum sequence length in tokens, EOS included")
                    ->check(whole_number<int>(1));
    tokenizer->needs(max);
    max->needs(tokenizer);
    sub->add_option("--on-bad-line", o.on_bad_line,
                    "abort (default): stop at the first line that is not JSON or not usable; skip: leave it out "
                    "and count it")
        ->check(CLI::IsMember({"abort", "skip"}));
    sub->add_option("--report", o.report, "Also write the counts and problems as JSON");
}

std::unique_ptr<SentencePieceTokenizer> tokenizer_of(const LengthOptions& o) {
    if (o.tokenizer.empty()) return nullptr;
    return std::make_unique<SentencePieceTokenizer>(o.tokenizer);
}

void finish(const LengthOptions& o, const std::vector<InputProblem>& problems, const std::vector<std::string>& summary,
            const nlohmann::ordered_json& report) {
    if (!o.report.empty())
        write_file_atomically(o.report, [&](std::ostream& out) { out << report.dump(2) << '\n'; });
    for (const auto& p : problems) std::fprintf(stderr, "skipped %s\n", p.to_string().c_str());
    for (const auto& line : summary) std::fprintf(stderr, "%s\n", line.c_str());
}

void run_format(const FormatOptions& o) {
    // A built-in preset's name is not a file, even where a folder has its name.
    check_files({{"--output", o.output}, {"--report", o.report}},
                {{"--input", o.input},
                 {"--preset", find_prompt_preset(o.preset) ? "" : o.preset},
                 {"--tokenizer", o.tokenizer}});
    const auto tokenizer = tokenizer_of(o);
    const PromptFormatter formatter(load_prompt_preset(o.preset), tokenizer.get(), o.max_seq_len);
    TerminalProgress progress;
    const FormatReport r =
        format_file(o.input, o.output, formatter, bad_input_policy_from_string(o.on_bad_line), &progress);
    progress.finish();
    nlohmann::ordered_json report{{"preset", formatter.preset().name}, {"input", o.input}, {"output", o.output}};
    report.update(to_json(r));
    finish(o, r.problems, r.summary(), report);
}

void run_chat(const ChatCommandOptions& o) {
    check_files({{"--output", o.output}, {"--conversations", o.conversations}, {"--report", o.report}},
                {{"--oasst", o.oasst},
                 {"--template", find_chat_template(o.chat_template) ? "" : o.chat_template},
                 {"--tokenizer", o.tokenizer}});
    const auto tokenizer = tokenizer_of(o);
    ChatOptions options;
    options.chat_template = load_chat_template(o.chat_template);
    options.tokenizer = tokenizer.get();
    options.max_seq_len = o.max_seq_len;
    options.on_bad_line = bad_input_policy_from_string(o.on_bad_line);
    TerminalProgress progress;
    const ChatReport r = chat_file(o.oasst, o.output, o.conversations, options, &progress);
    progress.finish();
    nlohmann::ordered_json report{{"template", options.chat_template.name}, {"input", o.oasst}, {"output", o.output}};
    report.update(to_json(r));
    finish(o, r.problems, r.summary(), report);
}

std::string names_of_presets() {
    std::string names;
    for (const auto& p : prompt_presets()) names += (names.empty() ? "" : ", ") + p.name;
    return names;
}

std::string names_of_chat_templates() {
    std::string names;
    for (const auto& t : chat_templates()) names += (names.empty() ? "" : ", ") + t.name;
    return names;
}

}  // namespace

void add_format_commands(CLI::App& app) {
    auto f = std::make_shared<FormatOptions>();
    auto* format = app.add_subcommand("format", "Format few-shot records into {instruction, input, output} prompts "
                                                "with a domain preset; dropped records are absent");
    format->add_option("--preset", f->preset, names_of_presets() + ", or a preset JSON file")->required();
    format->add_option("--input", f->input, "Few-shot JSONL: {\"origin\": {...}, \"shot\": [...]} per line")
        ->required();
    format->add_option("--output", f->output, "Raw JSONL of {instruction, input, output}")->required();
    add_length_options(format, *f, "cnn needs it: it fits its shots below --max-seq-len; the others keep "
                                   "records of at most --max-seq-len tokens");
    format->callback([f] { run_format(*f); });

    auto c = std::make_shared<ChatCommandOptions>();
    auto* chat = app.add_subcommand("chat", "Turn OASST message trees into prompt/response pairs with a "
                                            "conversation template");
    chat->add_option("--oasst", c->oasst, "OASST trees JSONL (2023-04-12_oasst_ready.trees.jsonl)")->required();
    chat->add_option("--template", c->chat_template, names_of_chat_templates() + ", or a template JSON file")
        ->required();
    chat->add_option("--output", c->output, "Raw JSONL of {input, output, instruction}")->required();
    chat->add_option("--conversations", c->conversations, "Also write every conversation as {\"chat\": [...]} JSONL");
    add_length_options(chat, *c, "optional: keeps records below --max-seq-len tokens");
    chat->callback([c] { run_chat(*c); });
}

}  // namespace distill::cli
