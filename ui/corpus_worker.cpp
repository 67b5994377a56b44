#include "corpus_worker.h"

#include "progress_throttle.h"

namespace distill::ui {

void CorpusWorker::load(const std::vector<SourceSpec>& sources, BadInputPolicy policy) {
    ThrottledProgressSink sink(cancelRequested(), [this](quint64 done, quint64 total) { emit progress(done, total); });
    runGuarded([&] {
        // A cancel pressed before this thread got to the request counts too.
        throw_if_cancelled(&sink);
        emit loaded(std::make_shared<const Corpus>(pool_sources(sources, policy, &sink)));
    });
}

}  // namespace distill::ui
