#include "threshold_sweeper.h"

#include "threshold_sweep_worker.h"

namespace distill::ui {

ThresholdSweeper::ThresholdSweeper(QObject* parent)
    : BackgroundJob("threshold sweep", parent),
      worker_(adopt(std::make_unique<ThresholdSweepWorker>(cancelFlag()))) {
    qRegisterMetaType<std::shared_ptr<const SweepResult>>();
    connect(worker_, &ThresholdSweepWorker::progress, this, &ThresholdSweeper::progress);
    connect(worker_, &ThresholdSweepWorker::finished, this, [this](std::shared_ptr<const SweepResult> result) {
        jobEnded();
        emit finished(std::move(result));
    });
}

void ThresholdSweeper::start(std::string embeddingsFile, std::size_t expectedRows, SweepOptions options) {
    post([worker = worker_, file = std::move(embeddingsFile), expectedRows, options = std::move(options)] {
        worker->sweep(file, expectedRows, options);
    });
}

}  // namespace distill::ui
