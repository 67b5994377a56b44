#pragma once
// The GUI thread's handle on background pipeline runs (see BackgroundJob).
#include <QString>

#include <memory>

#include "background_job.h"
#include "pipeline_worker.h"

namespace distill::ui {

class PipelineRunner : public BackgroundJob {
    Q_OBJECT
public:
    explicit PipelineRunner(QObject* parent = nullptr);

    // Ignored while a run is going. With an exportDir, the run ends by
    // copying its lit-gpt files there.
    void start(Project project, QString outputDir, QString exportDir = {});
    // Shows the folder's last run (PipelineWorker::showLastRun); ignored
    // while a run is going.
    void showLastRun(Project project, QString outputDir);

signals:
    void stageEvent(const distill::StageEvent& event);
    void progress(int stageIndex, const QString& activity, quint64 done, quint64 total);
    void copyingExport();
    void finished(std::shared_ptr<const distill::ui::PipelineOutcome> outcome);
    void lastRunOutdated(const QString& stage);

private:
    PipelineWorker* worker_;
};

}  // namespace distill::ui
