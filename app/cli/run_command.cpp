// `distill run`: every stage of a project into an output folder, cached,
// with a progress bar per stage on a terminal and plain lines when piped.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "distill/pipeline.h"
#include "distill/project.h"
#include "terminal_progress.h"

namespace distill::cli {
namespace {

struct RunOptions {
    std::string config;
    std::string output_dir;
};

// Stage events as one line each; the stage at hand's progress as a bar.
class RunProgress final : public PipelineObserver {
public:
    void update(std::string_view stage, std::uint64_t done, std::uint64_t total) override {
        bar_.update(prefix_ + std::string(stage), done, total);
    }
    bool cancel_requested() const override { return bar_.cancel_requested(); }
    void stage_event(const StageEvent& e) override {
        prefix_ = "[" + std::to_string(e.index + 1) + "/" + std::to_string(pipeline_stages().size()) + "] ";
        if (e.kind == StageEvent::Started) return;
        bar_.finish();
        if (e.kind == StageEvent::Cached)
            std::fprintf(stderr, "%s%-8s cached: %s\n", prefix_.c_str(), e.stage.c_str(), e.summary.c_str());
        else
            std::fprintf(stderr, "%s%-8s %6.2f s: %s\n", prefix_.c_str(), e.stage.c_str(), e.seconds,
                         e.summary.c_str());
    }

private:
    TerminalProgress bar_;
    std::string prefix_;
};

void run(const RunOptions& o) {
    const Project project = load_project(o.config);
    RunProgress progress;
    const PipelineResult result = run_pipeline(project, o.output_dir, &progress);
    double seconds = 0;
    for (const auto& s : result.stages) seconds += s.seconds;
    std::fprintf(stderr, "done in %.2f s; %s holds:", seconds, o.output_dir.c_str());
    for (const auto& f : result.files) std::fprintf(stderr, " %s", f.c_str());
    std::fprintf(stderr, "\n");
}

}  // namespace

void add_run_command(CLI::App& app) {
    auto o = std::make_shared<RunOptions>();
    auto* run_cmd = app.add_subcommand(
        "run", "Run every stage of a project (corpus, embed, cluster, sample, map, fewshot, format, export) into a "
               "folder; a stage whose inputs and settings are unchanged is reused, not re-run");
    run_cmd->add_option("--config", o->config, "A project file (*.distill.json) with its \"pipeline\" settings")
        ->required()
        ->check(CLI::ExistingFile);
    run_cmd->add_option("--output-dir", o->output_dir, "Where every stage's output goes (created when missing)")
        ->required();
    run_cmd->callback([o] { run(*o); });
}

}  // namespace distill::cli
