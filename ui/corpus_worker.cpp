#include "corpus_worker.h"

#include <exception>

#include "distill/error.h"
#include "distill/progress.h"
#include "progress_throttle.h"

namespace distill::ui {
namespace {

// Adapts core's progress callbacks to the worker's signals, throttled.
class SignalProgressSink : public ProgressSink {
public:
    SignalProgressSink(CorpusWorker& worker, const std::atomic_bool& cancelRequested)
        : worker_(worker), cancelRequested_(cancelRequested) {}

    void update(std::string_view, std::uint64_t done, std::uint64_t total) override {
        if (throttle_.admit(done, total)) emit worker_.progress(done, total);
    }

    bool cancel_requested() const override { return cancelRequested_.load(std::memory_order_relaxed); }

private:
    CorpusWorker& worker_;
    const std::atomic_bool& cancelRequested_;
    ProgressThrottle throttle_;
};

}  // namespace

void CorpusWorker::load(const std::vector<SourceSpec>& sources, BadInputPolicy policy) {
    SignalProgressSink sink(*this, cancelRequested_);
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
