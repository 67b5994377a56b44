// The stages of the SPEC §9 contract that later issues build. Their options
// are declared now so `distill SUBCOMMAND --help` documents the contract,
// but running one says plainly that it is not built yet and exits 69: no
// subcommand pretends to work.
#include "commands.h"

namespace distill::cli {
namespace {

CLI::App* planned(CLI::App& app, const char* name, const char* description, const char* issue) {
    auto* sub = app.add_subcommand(name, description);
    sub->callback([name, issue] {
        throw NotBuiltYet(std::string(name) + ": this stage is not built yet (" + issue + ")");
    });
    return sub;
}

void device_options(CLI::App* sub) {
    sub->add_option("--device", "auto (default), cpu or cuda")->check(CLI::IsMember({"auto", "cpu", "cuda"}));
}

}  // namespace

void add_planned_commands(CLI::App& app) {
    auto* embed = planned(app, "embed", "Embed the questions of a JSONL file into an .npy matrix", "issue #3");
    embed->add_option("--model", "A sentence-transformers model directory, or `hashing`")->required();
    embed->add_option("--input", "JSONL, one object per line")->required();
    embed->add_option("--field", "The text field (default: text)");
    embed->add_option("--output", "float32 .npy, one row per line")->required();
    device_options(embed);
    embed->add_option("--batch-size", "Questions per batch");
    embed->add_option("--dtype", "fp32, fp16 or bf16")->check(CLI::IsMember({"fp32", "fp16", "bf16"}));


    CLI::App& bench = *bench_group(app);
    planned(bench, "embed", "Questions/s and tokens/s of an embedding model", "issue #3");
}

}  // namespace distill::cli
