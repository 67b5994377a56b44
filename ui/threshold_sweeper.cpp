#include "threshold_sweeper.h"

#include "threshold_sweep_worker.h"

namespace distill::ui {

ThresholdSweeper::ThresholdSweeper(QObject* parent)
    : QObject(parent), worker_(std::make_unique<ThresholdSweepWorker>(cancelRequested_)) {
    qRegisterMetaType<std::shared_ptr<const SweepResult>>();
    thread_.setObjectName("threshold sweep");
    worker_->moveToThread(&thread_);

    // Queued back to this (GUI) thread; running_ drops before anyone hears
    // the outcome, so a slot may start the next sweep right away.
    connect(worker_.get(), &ThresholdSweepWorker::progress, this, &ThresholdSweeper::progress);
    connect(worker_.get(), &ThresholdSweepWorker::finished, this,
            [this](std::shared_ptr<const SweepResult> result) {
                running_ = false;
                emit finished(std::move(result));
            });
    connect(worker_.get(), &ThresholdSweepWorker::failed, this, [this](const QString& message) {
        running_ = false;
        emit failed(message);
    });
    connect(worker_.get(), &ThresholdSweepWorker::cancelled, this, [this] {
        running_ = false;
        emit cancelled();
    });
    thread_.start();
}

ThresholdSweeper::~ThresholdSweeper() {
    cancelRequested_ = true;
    thread_.quit();  // takes effect once the running sweep returns
    thread_.wait();
}

void ThresholdSweeper::start(std::string embeddingsFile, std::size_t expectedRows, SweepOptions options) {
    if (running_) return;
    running_ = true;
    cancelRequested_ = false;
    ThresholdSweepWorker* worker = worker_.get();
    QMetaObject::invokeMethod(
        worker,
        [worker, file = std::move(embeddingsFile), expectedRows, options = std::move(options)] {
            worker->sweep(file, expectedRows, options);
        },
        Qt::QueuedConnection);
}

void ThresholdSweeper::cancel() {
    if (running_) cancelRequested_ = true;
}

}  // namespace distill::ui
