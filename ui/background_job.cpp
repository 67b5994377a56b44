#include "background_job.h"

namespace distill::ui {

BackgroundJob::BackgroundJob(const char* threadName, QObject* parent) : QObject(parent) {
    thread_.setObjectName(threadName);
    thread_.start();
}

BackgroundJob::~BackgroundJob() {
    cancelRequested_ = true;
    thread_.quit();  // takes effect once the running job returns
    thread_.wait();
}

void BackgroundJob::cancel() {
    if (running_) cancelRequested_ = true;
}

void BackgroundJob::adoptWorker(std::unique_ptr<BackgroundWorker> worker) {
    worker_ = std::move(worker);
    worker_->moveToThread(&thread_);
    // Queued back to this (GUI) thread, like every signal of the worker.
    connect(worker_.get(), &BackgroundWorker::failed, this, [this](const QString& message) {
        jobEnded();
        emit failed(message);
    });
    connect(worker_.get(), &BackgroundWorker::cancelled, this, [this] {
        jobEnded();
        emit cancelled();
    });
}

void BackgroundJob::post(std::function<void()> job) {
    if (running_) return;
    running_ = true;
    cancelRequested_ = false;
    QMetaObject::invokeMethod(worker_.get(), std::move(job), Qt::QueuedConnection);
}

}  // namespace distill::ui
