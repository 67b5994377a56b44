#include "pipeline_worker.h"

#include <filesystem>
#include <fstream>

#include "distill/corpus.h"
#include "distill/error.h"
#include "progress_throttle.h"

namespace distill::ui {
namespace {

// Adapts the runner's callbacks to the worker's signals, progress throttled.
class SignalObserver : public PipelineObserver {
public:
    SignalObserver(PipelineWorker& worker, const std::atomic_bool& cancelRequested)
        : worker_(worker), cancelRequested_(cancelRequested) {}

    void stage_event(const StageEvent& event) override {
        stageIndex_ = int(event.index);
        emit worker_.stageEvent(event);
    }

    // A new activity is shown at once, the throttle notwithstanding: it is
    // what the status bar names.
    void update(std::string_view activity, std::uint64_t done, std::uint64_t total) override {
        if (!showActivity_) activity = {};
        const bool changed = activity != activity_;
        if (changed) activity_ = activity;
        if (throttle_.admit(done, total) || changed)
            emit worker_.progress(stageIndex_, QString::fromStdString(activity_), done, total);
    }

    bool cancel_requested() const override { return cancelRequested_.load(std::memory_order_relaxed); }

    // From now on progress carries no activity: the export's copy, which
    // the window names itself (copyingExport), reports as "export".
    void hideActivity() { showActivity_ = false; }

private:
    PipelineWorker& worker_;
    const std::atomic_bool& cancelRequested_;
    int stageIndex_ = -1;  // none started yet
    std::string activity_;
    bool showActivity_ = true;
    ProgressThrottle throttle_;
};

std::vector<std::shared_ptr<const Record>> readJsonLines(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path.string() + ": cannot open the run's output; run again");
    std::vector<std::shared_ptr<const Record>> lines;
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(std::make_shared<const Record>(Record::parse(line)));
    return lines;
}

// The histogram part of the manifest's "token_lengths" (to_json of
// TokenLengthStats), which is all the view draws.
TokenLengthStats tokenLengthsOf(const std::filesystem::path& manifest) {
    std::ifstream in(manifest, std::ios::binary);
    const auto json = nlohmann::ordered_json::parse(in).at("token_lengths");
    TokenLengthStats stats;
    stats.count = json.at("count").get<std::size_t>();
    stats.max_seq_len = json.at("max_seq_len").get<std::size_t>();
    stats.over_max_seq_len = json.at("over_max_seq_len").get<std::size_t>();
    stats.bin_width = json.at("bin_width").get<std::size_t>();
    stats.bins = json.at("bins").get<std::vector<std::size_t>>();
    return stats;
}

// The fewshot stage's report of the edits it could not apply, described.
std::vector<std::string> unappliedEditsOf(const std::filesystem::path& report, const std::vector<FewShotEdit>& edits) {
    std::ifstream in(report, std::ios::binary);
    if (!in) throw Error(report.string() + ": cannot open the run's output; run again");
    const auto json = nlohmann::ordered_json::parse(in);  // kept: the loop below walks a part of it
    std::vector<std::string> described;
    for (const auto& entry : json.at("unapplied")) {
        const UnappliedEdit unapplied{entry.at("index").get<std::size_t>(), entry.at("reason").get<std::string>()};
        if (unapplied.index < edits.size()) described.push_back(describe(unapplied, edits));
    }
    return described;
}

}  // namespace

void PipelineWorker::run(const Project& project, const std::string& outputDir, const std::string& exportDir) {
    runGuarded([&] { deliver(project, outputDir, exportDir, false); });
}

void PipelineWorker::showLastRun(const Project& project, const std::string& outputDir) {
    runGuarded([&] {
        try {
            deliver(project, outputDir, {}, true);
        } catch (const LastRunOutdated& outdated) {
            emit lastRunOutdated(QString::fromStdString(outdated.stage));
        }
    });
}

void PipelineWorker::deliver(const Project& project, const std::string& outputDir, const std::string& exportDir,
                             bool loadOnly) {
    SignalObserver observer(*this, cancelRequested());
    auto outcome = std::make_shared<PipelineOutcome>();
    {
        // Held until the outcome is complete (and let go before the
        // views get it): what they show and the export copies must be
        // this run's outputs, not those of a run (the CLI, another
        // window) started into the folder in between.
        // Showing the last run only reads: held shared, so a folder the
        // user cannot write to shows too.
        const OutputFolderLock outputFolder(
            outputDir, loadOnly ? OutputFolderLock::Access::Read : OutputFolderLock::Access::Run, &observer);
        outcome->result = loadOnly ? load_last_run(project, outputFolder, &observer)
                                   : run_pipeline(project, outputFolder, &observer);
        outcome->map = read_cluster_map((std::filesystem::path(outputDir) / "cluster_map.json").string());
        // The map's rows are the run's pooled corpus's rows.
        outcome->records = std::move(outcome->result.corpus.records);
        outcome->corpusReport = std::move(outcome->result.corpus.report);
        outcome->sourceOf = std::move(outcome->result.corpus.source_of);
        outcome->result.corpus = {};
        if (outcome->records.size() != outcome->map.projection.points.rows)
            throw Error(outputDir + "/cluster_map.json: " + std::to_string(outcome->map.projection.points.rows) +
                        " rows, but the run pooled " + std::to_string(outcome->records.size()) +
                        "; the folder holds another run's map, run again");
        const std::filesystem::path dir(outputDir);
        outcome->fewshots = readJsonLines(dir / (project.domain + "_fewshot.jsonl"));
        outcome->fewshotEdits = project.fewshot_edits;
        outcome->unappliedEdits = unappliedEditsOf(dir / "fewshot_edits_report.json", project.fewshot_edits);
        outcome->tokenLengths = tokenLengthsOf(dir / "manifest.json");
        outcome->exportDir = exportDir;
        if (!exportDir.empty()) {
            observer.hideActivity();
            emit copyingExport();
            try {
                outcome->exportedFiles = publish_export(outputDir, exportDir, &observer);
            } catch (const Cancelled&) {
                outcome->exportCancelled = true;
            } catch (const Error& e) {
                outcome->exportError = e.what();
            }
        }
    }
    // What needs none of the folder's files, with the folder let go: a run
    // waiting for it need not wait for these too.
    outcome->questionIndex = QuestionIndex(outcome->records);
    outcome->tokenizer = std::make_shared<const SentencePieceTokenizer>(project.resolve(project.pipeline.tokenizer));
    emit finished(std::move(outcome));
}

}  // namespace distill::ui
