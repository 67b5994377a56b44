#pragma once
// Runs distill::sweep_thresholds on the thread it has been moved to and
// reports back with queued signals: the sweep's similarity pass goes through
// libtorch, which the GUI thread never calls.
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <string>

#include "distill/cluster.h"

namespace distill::ui {

class ThresholdSweepWorker : public QObject {
    Q_OBJECT
public:
    // `cancelRequested` is owned by whoever drives the worker and is set
    // from the GUI thread while sweep() runs, hence atomic.
    explicit ThresholdSweepWorker(const std::atomic_bool& cancelRequested) : cancelRequested_(cancelRequested) {}

    // Sweeps the vectors in `embeddingsFile` (a run's, see
    // PipelineResult::embeddings_file), which must hold `expectedRows` rows.
    // Emits exactly one of finished(), failed() or cancelled(), preceded by
    // throttled progress().
    void sweep(const std::string& embeddingsFile, std::size_t expectedRows, const SweepOptions& options);

signals:
    // Units of the similarity pass; `total` 0 means unknown.
    void progress(quint64 done, quint64 total);
    void finished(std::shared_ptr<const distill::SweepResult> result);
    // `message` is core's one-line "file:line: problem; fix".
    void failed(const QString& message);
    void cancelled();

private:
    const std::atomic_bool& cancelRequested_;
};

}  // namespace distill::ui
