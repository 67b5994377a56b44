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

}  // namespace

void add_planned_commands(CLI::App& app) {
    auto* run = planned(app, "run", "Run every stage of a project, cached, with progress", "issue #6");
    run->add_option("--config", "A project / pipeline JSON file")->required();
    run->add_option("--output-dir", "Where every stage's output goes")->required();
}

}  // namespace distill::cli
