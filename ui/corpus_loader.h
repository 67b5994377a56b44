#pragma once
// The GUI thread's handle on a background corpus load: owns the worker
// thread, starts loads on it, forwards its signals and carries the Cancel
// button's request to it. One load at a time.
#include <QObject>
#include <QThread>

#include <atomic>
#include <memory>
#include <vector>

#include "distill/corpus.h"

namespace distill::ui {

class CorpusWorker;

class CorpusLoader : public QObject {
    Q_OBJECT
public:
    explicit CorpusLoader(QObject* parent = nullptr);
    // Cancels a running load and waits for the worker to stop.
    ~CorpusLoader() override;

    // Ignored while a load is running.
    void start(std::vector<SourceSpec> sources, BadInputPolicy policy);
    // Asks the running load to stop; it ends with cancelled() shortly after.
    void cancel();
    bool isRunning() const { return running_; }

signals:
    void progress(quint64 done, quint64 total);
    void loaded(std::shared_ptr<const distill::Corpus> corpus);
    void failed(const QString& message);
    void cancelled();

private:
    QThread thread_;
    std::atomic_bool cancelRequested_{false};
    std::unique_ptr<CorpusWorker> worker_;
    bool running_ = false;
};

}  // namespace distill::ui
