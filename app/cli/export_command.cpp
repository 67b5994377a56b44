// `distill export`: raw {instruction, input, output} JSONL files into
// lit-gpt's train.pt / valid.pt and a manifest.json (SPEC §6, §9);
// `distill bench export`: rows/s of the same on synthetic prompts.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "file_checks.h"
#include "distill/export.h"
#include "distill/llm_tokenizer.h"
#include "number_checks.h"
#include "terminal_progress.h"

namespace distill::cli {
namespace {

struct ExportCommandOptions {
    std::vector<std::string> raw;
    std::string tokenizer;
    std::string output_dir;
    ExportOptions options;
    std::string on_bad_line = "abort";
};

void run_export(ExportCommandOptions& o) {
    std::vector<NamedPath> inputs{{"--tokenizer", o.tokenizer}};
    for (const auto& raw : o.raw) inputs.push_back({"--raw", raw});
    check_files({}, inputs);
    o.options.on_bad_line = bad_input_policy_from_string(o.on_bad_line);
    const SentencePieceTokenizer tokenizer(o.tokenizer);
    TerminalProgress progress;
    const ExportReport report = export_dataset(o.raw, tokenizer, o.output_dir, o.options, &progress);
    progress.finish();
    for (const auto& p : report.problems) std::fprintf(stderr, "skipped %s\n", p.to_string().c_str());
    for (const auto& line : report.summary()) std::fprintf(stderr, "%s\n", line.c_str());
}

struct BenchCommandOptions {
    std::string tokenizer;
    ExportBenchOptions options;
};

void run_bench(const BenchCommandOptions& o) {
    const SentencePieceTokenizer tokenizer(o.tokenizer);
    TerminalProgress progress;
    const ExportBenchResult result = bench_export(tokenizer, o.options, &progress);
    progress.finish();
    std::printf("%s\n", result.summary().c_str());
}

}  // namespace

void add_export_commands(CLI::App& app) {
    auto e = std::make_shared<ExportCommandOptions>();
    auto* exp = app.add_subcommand("export", "Tokenize raw JSONL files into lit-gpt train.pt / valid.pt "
                                             "with a manifest.json");
    exp->add_option("--raw", e->raw, "A raw JSONL file of {instruction, input, output}; repeat for several "
                                     "domains (rows are concatenated in this order, then shuffled)")
        ->required();
    exp->add_option("--tokenizer", e->tokenizer, "The LLM's sentencepiece tokenizer.model")->required();
    exp->add_option("--output-dir", e->output_dir, "Where train.pt, valid.pt and manifest.json go (created)")
        ->required();
    exp->add_option("--max-seq-len", e->options.max_seq_len, "Truncate to this many tokens, EOS included")
        ->check(whole_number<int>(1))
        ->capture_default_str();
    exp->add_flag("--mask-inputs", e->options.mask_inputs, "Set the prompt part of labels to -1");
    exp->add_option("--valid-fraction", e->options.valid_fraction,
                    "Share of rows in valid.pt, as lit-gpt's random_split; 0: no valid.pt")
        ->check(fraction_below(0.0, 1.0))
        ->capture_default_str();
    exp->add_option("--seed", e->options.seed, "Shuffle seed (torch.Generator().manual_seed)")
        ->check(whole_number<std::uint64_t>(0))
        ->capture_default_str();
    exp->add_option("--threads", e->options.threads, "Tokenizer threads (default: one per CPU this process may use)")
        ->check(whole_number<int>(0));
    exp->add_option("--on-bad-line", e->on_bad_line,
                    "abort (default): stop at the first bad line; skip: leave it out and count it")
        ->check(CLI::IsMember({"abort", "skip"}));
    exp->callback([e] { run_export(*e); });

    auto b = std::make_shared<BenchCommandOptions>();
    auto* bench = bench_group(app)->add_subcommand("export", "Rows/s written to train.pt, on synthetic prompts");
    bench->add_option("--tokenizer", b->tokenizer, "The LLM's sentencepiece tokenizer.model")->required();
    bench->add_option("--rows", b->options.rows, "Synthetic rows")->check(whole_number<std::size_t>(1))->capture_default_str();
    bench->add_option("--words", b->options.words_per_row, "Words per row (few-shot input and answer)")
        ->check(whole_number<std::size_t>(1))
        ->capture_default_str();
    bench->add_option("--max-seq-len", b->options.max_seq_len, "Truncate to this many tokens")
        ->check(whole_number<int>(1))
        ->capture_default_str();
    bench->add_option("--threads", b->options.threads, "Tokenizer threads (default: one per CPU this process may use)")
        ->check(whole_number<int>(0));
    bench->callback([b] { run_bench(*b); });
}

}  // namespace distill::cli
