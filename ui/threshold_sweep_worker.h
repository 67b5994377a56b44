#pragma once
// Runs distill::sweep_thresholds on a ThresholdSweeper's thread: the sweep's
// similarity pass goes through libtorch, which the GUI thread never calls.
#include <memory>
#include <string>

#include "background_job.h"
#include "distill/cluster.h"

namespace distill::ui {

class ThresholdSweepWorker : public BackgroundWorker {
    Q_OBJECT
public:
    using BackgroundWorker::BackgroundWorker;

    // Sweeps the vectors in `embeddingsFile` (a run's, see
    // PipelineResult::embeddings_file), which must hold `expectedRows` rows.
    // Emits exactly one of finished(), failed() or cancelled(), preceded by
    // throttled progress().
    void sweep(const std::string& embeddingsFile, std::size_t expectedRows, const SweepOptions& options);

signals:
    // Units of the similarity pass; `total` 0 means unknown.
    void progress(quint64 done, quint64 total);
    void finished(std::shared_ptr<const distill::SweepResult> result);
};

}  // namespace distill::ui
