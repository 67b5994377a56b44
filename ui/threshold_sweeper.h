#pragma once
// The GUI thread's handle on background threshold sweeps (see BackgroundJob).
#include <memory>
#include <string>

#include "background_job.h"
#include "distill/cluster.h"

namespace distill::ui {

class ThresholdSweepWorker;

class ThresholdSweeper : public BackgroundJob {
    Q_OBJECT
public:
    explicit ThresholdSweeper(QObject* parent = nullptr);

    // Ignored while a sweep is running.
    void start(std::string embeddingsFile, std::size_t expectedRows, SweepOptions options);

signals:
    void progress(quint64 done, quint64 total);
    void finished(std::shared_ptr<const distill::SweepResult> result);

private:
    ThresholdSweepWorker* worker_;
};

}  // namespace distill::ui
