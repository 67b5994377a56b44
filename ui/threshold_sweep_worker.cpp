#include "threshold_sweep_worker.h"

#include "distill/error.h"
#include "distill/npy.h"
#include "progress_throttle.h"

namespace distill::ui {

void ThresholdSweepWorker::sweep(const std::string& embeddingsFile, std::size_t expectedRows,
                                 const SweepOptions& options) {
    ThrottledProgressSink sink(cancelRequested(), [this](quint64 done, quint64 total) { emit progress(done, total); });
    runGuarded([&] {
        // A cancel pressed before this thread got to the request counts too.
        throw_if_cancelled(&sink);
        const Matrix embeddings = read_npy(embeddingsFile);
        // The run's map and table are per corpus row; vectors of another
        // corpus would give numbers that describe nothing on screen.
        if (embeddings.rows != expectedRows)
            throw Error(embeddingsFile + ": " + std::to_string(embeddings.rows) + " rows, but the last run had " +
                        std::to_string(expectedRows) + " questions; run again");
        emit finished(std::make_shared<const SweepResult>(sweep_thresholds(embeddings, options, &sink)));
    });
}

}  // namespace distill::ui
