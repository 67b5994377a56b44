#pragma once
// The GUI thread's handle on a background pipeline run: owns the worker
// thread, starts runs on it, forwards its signals and carries the Cancel
// button's request to it. One run at a time.
#include <QObject>
#include <QThread>

#include <atomic>
#include <memory>

#include "pipeline_worker.h"

namespace distill::ui {

class PipelineRunner : public QObject {
    Q_OBJECT
public:
    explicit PipelineRunner(QObject* parent = nullptr);
    // Cancels a running run and waits for the worker to stop.
    ~PipelineRunner() override;

    // Ignored while a run is going.
    void start(Project project, QString outputDir);
    // Asks the run to stop; it ends with cancelled() shortly after (or with
    // finished() when it was already past its last stage).
    void cancel();
    bool isRunning() const { return running_; }

signals:
    void stageEvent(const distill::StageEvent& event);
    void progress(int stageIndex, quint64 done, quint64 total);
    void finished(std::shared_ptr<const distill::ui::PipelineOutcome> outcome);
    void failed(const QString& message);
    void cancelled();

private:
    QThread thread_;
    std::atomic_bool cancelRequested_{false};
    std::unique_ptr<PipelineWorker> worker_;
    bool running_ = false;
};

}  // namespace distill::ui
