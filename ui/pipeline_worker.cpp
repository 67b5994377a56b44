#include "pipeline_worker.h"

#include <chrono>
#include <exception>
#include <filesystem>

#include "distill/corpus.h"
#include "distill/error.h"

namespace distill::ui {
namespace {

// Adapts the runner's callbacks to the worker's signals. Stages call
// update() every few milliseconds; each emit crosses threads and repaints,
// so at most one per interval goes out, plus each stage's last.
class SignalObserver : public PipelineObserver {
public:
    SignalObserver(PipelineWorker& worker, const std::atomic_bool& cancelRequested)
        : worker_(worker), cancelRequested_(cancelRequested) {}

    void stage_event(const StageEvent& event) override {
        stageIndex_ = int(event.index);
        emit worker_.stageEvent(event);
    }

    void update(std::string_view, std::uint64_t done, std::uint64_t total) override {
        const auto now = Clock::now();
        const bool complete = total > 0 && done >= total;
        if (!complete && now - lastEmit_ < kInterval) return;
        lastEmit_ = now;
        emit worker_.progress(stageIndex_, done, total);
    }

    bool cancel_requested() const override { return cancelRequested_.load(std::memory_order_relaxed); }

private:
    using Clock = std::chrono::steady_clock;
    static constexpr auto kInterval = std::chrono::milliseconds(50);

    PipelineWorker& worker_;
    const std::atomic_bool& cancelRequested_;
    int stageIndex_ = 0;
    Clock::time_point lastEmit_;
};

}  // namespace

void PipelineWorker::run(const Project& project, const std::string& outputDir) {
    SignalObserver observer(*this, cancelRequested_);
    try {
        auto outcome = std::make_shared<PipelineOutcome>();
        outcome->result = run_pipeline(project, outputDir, &observer);
        outcome->map = read_cluster_map((std::filesystem::path(outputDir) / "cluster_map.json").string());
        // The map's rows are the pooled corpus's rows; pooling again is how
        // the run's corpus stage made them, and costs a fraction of a run.
        Corpus corpus = pool_sources(project.resolved_sources(), project.on_bad_line, &observer);
        outcome->questions.reserve(corpus.records.size());
        for (const auto& record : corpus.records) outcome->questions.push_back(record["question"].get<std::string>());
        if (outcome->questions.size() != outcome->map.projection.points.rows)
            throw Error(outputDir + "/cluster_map.json: " + std::to_string(outcome->map.projection.points.rows) +
                        " rows, but the sources now pool to " + std::to_string(outcome->questions.size()) +
                        "; a source changed during the run, run again");
        emit finished(std::move(outcome));
    } catch (const Cancelled&) {
        emit cancelled();
    } catch (const std::exception& e) {
        // distill::Error carries file, line and fix; anything else (bad_alloc
        // on a huge corpus) is still shown rather than killing the app.
        emit failed(QString::fromStdString(e.what()));
    }
}

}  // namespace distill::ui
