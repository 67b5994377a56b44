#include "corpus_loader.h"

#include "corpus_worker.h"

namespace distill::ui {

CorpusLoader::CorpusLoader(QObject* parent)
    : BackgroundJob("corpus loader", parent), worker_(adopt(std::make_unique<CorpusWorker>(cancelFlag()))) {
    connect(worker_, &CorpusWorker::progress, this, &CorpusLoader::progress);
    connect(worker_, &CorpusWorker::loaded, this, [this](std::shared_ptr<const Corpus> corpus) {
        jobEnded();
        emit loaded(std::move(corpus));
    });
}

void CorpusLoader::start(std::vector<SourceSpec> sources, BadInputPolicy policy) {
    post([worker = worker_, sources = std::move(sources), policy] { worker->load(sources, policy); });
}

}  // namespace distill::ui
