#include "pipeline_runner.h"

namespace distill::ui {

PipelineRunner::PipelineRunner(QObject* parent)
    : BackgroundJob("pipeline", parent), worker_(adopt(std::make_unique<PipelineWorker>(cancelFlag()))) {
    qRegisterMetaType<StageEvent>();
    qRegisterMetaType<std::shared_ptr<const PipelineOutcome>>();
    connect(worker_, &PipelineWorker::stageEvent, this, &PipelineRunner::stageEvent);
    connect(worker_, &PipelineWorker::progress, this, &PipelineRunner::progress);
    connect(worker_, &PipelineWorker::copyingExport, this, &PipelineRunner::copyingExport);
    connect(worker_, &PipelineWorker::finished, this, [this](std::shared_ptr<const PipelineOutcome> outcome) {
        jobEnded();
        emit finished(std::move(outcome));
    });
    connect(worker_, &PipelineWorker::lastRunOutdated, this, [this](const QString& stage) {
        jobEnded();
        emit lastRunOutdated(stage);
    });
}

void PipelineRunner::start(Project project, QString outputDir, QString exportDir) {
    post([worker = worker_, project = std::move(project), dir = outputDir.toStdString(),
          exportTo = exportDir.toStdString()] { worker->run(project, dir, exportTo); });
}

void PipelineRunner::showLastRun(Project project, QString outputDir) {
    post([worker = worker_, project = std::move(project), dir = outputDir.toStdString()] {
        worker->showLastRun(project, dir);
    });
}

}  // namespace distill::ui
