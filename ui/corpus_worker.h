#pragma once
// Runs distill::pool_sources on a CorpusLoader's thread, so the window never
// waits on file reading.
#include <memory>
#include <vector>

#include "background_job.h"
#include "distill/corpus.h"

namespace distill::ui {

class CorpusWorker : public BackgroundWorker {
    Q_OBJECT
public:
    using BackgroundWorker::BackgroundWorker;

    // Emits exactly one of loaded(), failed() or cancelled(), preceded by
    // throttled progress().
    void load(const std::vector<SourceSpec>& sources, BadInputPolicy policy);

signals:
    // Bytes read of all sources; `total` 0 means unknown.
    void progress(quint64 done, quint64 total);
    void loaded(std::shared_ptr<const distill::Corpus> corpus);
};

}  // namespace distill::ui
