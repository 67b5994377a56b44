#pragma once
// The GUI thread's handle on background corpus loads (see BackgroundJob).
#include <memory>
#include <vector>

#include "background_job.h"
#include "distill/corpus.h"

namespace distill::ui {

class CorpusWorker;

class CorpusLoader : public BackgroundJob {
    Q_OBJECT
public:
    explicit CorpusLoader(QObject* parent = nullptr);

    // Ignored while a load is running.
    void start(std::vector<SourceSpec> sources, BadInputPolicy policy);

signals:
    void progress(quint64 done, quint64 total);
    void loaded(std::shared_ptr<const distill::Corpus> corpus);

private:
    CorpusWorker* worker_;
};

}  // namespace distill::ui
