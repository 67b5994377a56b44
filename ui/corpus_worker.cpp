#include "corpus_worker.h"

#include <exception>

#include "distill/error.h"
#include "progress_throttle.h"

namespace distill::ui {

void CorpusWorker::load(const std::vector<SourceSpec>& sources, BadInputPolicy policy) {
    ThrottledProgressSink sink(cancelRequested_, [this](quint64 done, quint64 total) { emit progress(done, total); });
    try {
        // A cancel pressed before this thread got to the request counts too.
        throw_if_cancelled(&sink);
        auto corpus = std::make_shared<const Corpus>(pool_sources(sources, policy, &sink));
        emit loaded(std::move(corpus));
    } catch (const Cancelled&) {
        emit cancelled();
    } catch (const std::exception& e) {
        // distill::Error carries file, line and fix; anything else (bad_alloc
        // on a huge corpus) is still shown rather than killing the app.
        emit failed(QString::fromStdString(e.what()));
    }
}

}  // namespace distill::ui
