#include "pipeline_runner.h"

namespace distill::ui {

PipelineRunner::PipelineRunner(QObject* parent)
    : QObject(parent), worker_(std::make_unique<PipelineWorker>(cancelRequested_)) {
    qRegisterMetaType<StageEvent>();
    qRegisterMetaType<std::shared_ptr<const PipelineOutcome>>();
    thread_.setObjectName("pipeline");
    worker_->moveToThread(&thread_);

    // Queued back to this (GUI) thread; running_ drops before anyone hears
    // the outcome, so a slot may start the next run right away.
    connect(worker_.get(), &PipelineWorker::stageEvent, this, &PipelineRunner::stageEvent);
    connect(worker_.get(), &PipelineWorker::progress, this, &PipelineRunner::progress);
    connect(worker_.get(), &PipelineWorker::finished, this,
            [this](std::shared_ptr<const PipelineOutcome> outcome) {
                running_ = false;
                emit finished(std::move(outcome));
            });
    connect(worker_.get(), &PipelineWorker::failed, this, [this](const QString& message) {
        running_ = false;
        emit failed(message);
    });
    connect(worker_.get(), &PipelineWorker::cancelled, this, [this] {
        running_ = false;
        emit cancelled();
    });
    thread_.start();
}

PipelineRunner::~PipelineRunner() {
    cancelRequested_ = true;
    thread_.quit();  // takes effect once the running run returns
    thread_.wait();
}

void PipelineRunner::start(Project project, QString outputDir) {
    if (running_) return;
    running_ = true;
    cancelRequested_ = false;
    PipelineWorker* worker = worker_.get();
    QMetaObject::invokeMethod(
        worker,
        [worker, project = std::move(project), dir = outputDir.toStdString()] { worker->run(project, dir); },
        Qt::QueuedConnection);
}

void PipelineRunner::cancel() {
    if (running_) cancelRequested_ = true;
}

}  // namespace distill::ui
