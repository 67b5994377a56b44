// distill: the headless command line of Distill Studio (SPEC §9). A thin
// main over core: every stage is a subcommand that reads and writes plain
// files, exits 0 on success and non-zero with a one-line reason on stderr.
#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include "commands.h"
#include "terminal_progress.h"
#include "distill/compute_info.h"
#include "distill/error.h"

namespace distill::cli {
CLI::App* bench_group(CLI::App& app) { return app.get_subcommand("bench"); }

namespace {

// CLI11 answers a mistyped subcommand ("distill embd", "distill bench nope")
// with "A subcommand is required". Returns the line that says which word is
// unknown and which are known, or "" when every subcommand word is known.
std::string unknown_subcommand(CLI::App& app, int argc, char** argv) {
    CLI::App* level = &app;
    for (int i = 1; i < argc; ++i) {
        const std::string word = argv[i];
        const auto subcommands = level->get_subcommands([](CLI::App*) { return true; });
        if (subcommands.empty() || word.empty() || word[0] == '-') return {};
        CLI::App* next = nullptr;
        std::string names;
        for (CLI::App* sub : subcommands) {
            if (sub->check_name(word)) next = sub;
            names += (names.empty() ? "" : ", ") + sub->get_name();
        }
        if (!next) {
            const std::string command = level == &app ? "distill" : "distill " + level->get_name();
            return "'" + word + "' is not a subcommand of " + command + "; it has " + names;
        }
        level = next;
    }
    return {};
}

}  // namespace
}  // namespace distill::cli

int main(int argc, char** argv) {
    using namespace distill::cli;
    CLI::App app{"distill: curate instruction-tuning datasets by distillation (headless Distill Studio)",
                 "distill"};
    app.require_subcommand(1);
    app.set_version_flag("--version", [] {
        return std::string("distill ") + distill::version() + "\n" + distill::compute_info().summary();
    });
    app.footer("Run `distill SUBCOMMAND --help` for a subcommand's options. "
               "Exit codes: 0 ok, 1 failed, 2 usage; cancelled: 130 (Ctrl-C), 143 (SIGTERM), 129 (SIGHUP), "
               "each leaving no partial output.");
    app.add_subcommand("bench", "Benchmarks whose figures the README records: embed, communities, search, export")
        ->require_subcommand(1);
    add_corpus_commands(app);
    add_tokens_command(app);
    add_embed_commands(app);
    add_cluster_commands(app);
    add_fewshot_command(app);
    add_format_commands(app);
    add_export_commands(app);
    add_run_command(app);

    if (const std::string unknown = unknown_subcommand(app, argc, argv); !unknown.empty()) {
        std::fprintf(stderr, "distill: %s\nRun with --help for more information.\n", unknown.c_str());
        return kUsage;
    }
    try {
        app.parse(argc, argv);
        return kOk;
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);  // prints CLI11's explanation
        return kUsage;
    } catch (const distill::Cancelled&) {
        // 128 + the signal, as a shell reports a command the signal killed.
        const int signal = stop_signal() != 0 ? stop_signal() : SIGINT;
        const char* name = signal == SIGTERM ? "SIGTERM" : signal == SIGHUP ? "SIGHUP" : "SIGINT";
        std::fprintf(stderr, "\ndistill: cancelled (%s); no partial output was left behind\n", name);
        return kCancelledBySignal + signal;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "distill: %s\n", e.what());
        return kFailed;
    }
}
