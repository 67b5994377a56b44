#pragma once
// The GUI thread's handle on a background threshold sweep: owns the worker
// thread, starts sweeps on it, forwards its signals and carries the Cancel
// button's request to it. One sweep at a time.
#include <QObject>
#include <QThread>

#include <atomic>
#include <memory>
#include <string>

#include "distill/cluster.h"

namespace distill::ui {

class ThresholdSweepWorker;

class ThresholdSweeper : public QObject {
    Q_OBJECT
public:
    explicit ThresholdSweeper(QObject* parent = nullptr);
    // Cancels a running sweep and waits for the worker to stop.
    ~ThresholdSweeper() override;

    // Ignored while a sweep is running.
    void start(std::string embeddingsFile, std::size_t expectedRows, SweepOptions options);
    // Asks the running sweep to stop; it ends with cancelled() shortly after
    // (or with finished() when it was already done).
    void cancel();
    bool isRunning() const { return running_; }

signals:
    void progress(quint64 done, quint64 total);
    void finished(std::shared_ptr<const distill::SweepResult> result);
    void failed(const QString& message);
    void cancelled();

private:
    QThread thread_;
    std::atomic_bool cancelRequested_{false};
    std::unique_ptr<ThresholdSweepWorker> worker_;
    bool running_ = false;
};

}  // namespace distill::ui
