#include "corpus_loader.h"

#include "corpus_worker.h"

namespace distill::ui {

CorpusLoader::CorpusLoader(QObject* parent)
    : QObject(parent), worker_(std::make_unique<CorpusWorker>(cancelRequested_)) {
    thread_.setObjectName("corpus loader");
    worker_->moveToThread(&thread_);

    // Queued back to this (GUI) thread; running_ drops before anyone hears
    // the outcome, so a slot may start the next load right away.
    connect(worker_.get(), &CorpusWorker::progress, this, &CorpusLoader::progress);
    connect(worker_.get(), &CorpusWorker::loaded, this, [this](std::shared_ptr<const Corpus> corpus) {
        running_ = false;
        emit loaded(std::move(corpus));
    });
    connect(worker_.get(), &CorpusWorker::failed, this, [this](const QString& message) {
        running_ = false;
        emit failed(message);
    });
    connect(worker_.get(), &CorpusWorker::cancelled, this, [this] {
        running_ = false;
        emit cancelled();
    });
    thread_.start();
}

CorpusLoader::~CorpusLoader() {
    cancelRequested_ = true;
    thread_.quit();  // takes effect once the running load returns
    thread_.wait();
}

void CorpusLoader::start(std::vector<SourceSpec> sources, BadInputPolicy policy) {
    if (running_) return;
    running_ = true;
    cancelRequested_ = false;
    CorpusWorker* worker = worker_.get();
    QMetaObject::invokeMethod(
        worker, [worker, sources = std::move(sources), policy] { worker->load(sources, policy); },
        Qt::QueuedConnection);
}

void CorpusLoader::cancel() {
    if (running_) cancelRequested_ = true;
}

}  // namespace distill::ui
