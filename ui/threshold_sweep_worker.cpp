#include "threshold_sweep_worker.h"

#include "distill/embedder.h"
#include "progress_throttle.h"

namespace distill::ui {

void ThresholdSweepWorker::sweep(const std::string& embeddingsFile, std::size_t expectedRows,
                                 const SweepOptions& options) {
    ThrottledProgressSink sink(cancelRequested(), [this](quint64 done, quint64 total) { emit progress(done, total); });
    runGuarded([&] {
        // A cancel pressed before this thread got to the request counts too.
        throw_if_cancelled(&sink);
        // The run's map and table are per corpus row; vectors of another
        // corpus, or changed since the run, would give numbers that describe
        // nothing on screen.
        const Matrix embeddings = read_cached_embeddings(embeddingsFile, expectedRows);
        emit finished(std::make_shared<const SweepResult>(sweep_thresholds(embeddings, options, &sink)));
    });
}

}  // namespace distill::ui
