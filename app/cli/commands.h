#pragma once
// Each subcommand of `distill` registers its options and its handler here.
// Handlers throw distill::Error for a reason the user can act on; main()
// prints it as the one-line reason and exits non-zero (SPEC §9).
#include <CLI/CLI.hpp>

namespace distill::cli {

// Exit codes shared by every subcommand.
enum ExitCode : int {
    kOk = 0,
    kFailed = 1,       // a distill::Error: bad input, I/O failure...
    kUsage = 2,        // the command line itself is wrong
    // Cancelled by SIGINT, SIGTERM or SIGHUP: 128 + the signal (130, 143, 129),
    // with nothing partial left behind.
    kCancelledBySignal = 128,
};

// The `distill bench` group (SPEC §9): each stage registers its benchmark as
// a subcommand of it (`distill bench embed ...`) next to its other commands.
CLI::App* bench_group(CLI::App& app);

void add_corpus_commands(CLI::App& app);   // corpus, presets
void add_tokens_command(CLI::App& app);    // tokens
void add_embed_commands(CLI::App& app);    // embed, bench embed
void add_cluster_commands(CLI::App& app);  // communities, search, bench communities/search
void add_fewshot_command(CLI::App& app);   // fewshot
void add_format_commands(CLI::App& app);   // format, chat
void add_export_commands(CLI::App& app);   // export, bench export
void add_run_command(CLI::App& app);       // run

}  // namespace distill::cli
