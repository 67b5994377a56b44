#pragma once
// Replace Shot…'s ranking: the corpus questions nearest to an origin, by the
// cosine of the run's embeddings, so that the dialog lists the natural
// replacements (the next-nearest neighbours) first. The search runs on a
// ShotRanker's thread (see BackgroundJob): it reads the run's vectors into
// core's SearchIndex and searches that, which the GUI thread never does.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "background_job.h"
#include "distill/cluster.h"

namespace distill::ui {

class ShotRankWorker : public BackgroundWorker {
    Q_OBJECT
public:
    using BackgroundWorker::BackgroundWorker;

    // The `count` rows of `embeddingsFile` (a run's, which must hold
    // `expectedRows` rows) nearest to row `origin`, itself left out, best
    // first. The vectors stay loaded, as a SearchIndex, for the next origin
    // of the same file; the read and the search run to their end (cancel()
    // does not stop them).
    // Emits exactly one of ranked(), failed() or cancelled().
    void rank(const std::string& embeddingsFile, std::size_t expectedRows, std::size_t origin, std::size_t count);

signals:
    void ranked(qulonglong origin, std::shared_ptr<const std::vector<distill::SearchHit>> nearest);

private:
    std::string loadedFile_;
    std::optional<SearchIndex> index_;  // loadedFile_'s vectors
};

class ShotRanker : public BackgroundJob {
    Q_OBJECT
public:
    explicit ShotRanker(QObject* parent = nullptr);

    // Ignored while a ranking is running.
    void rank(std::string embeddingsFile, std::size_t expectedRows, std::size_t origin, std::size_t count);

signals:
    void ranked(qulonglong origin, std::shared_ptr<const std::vector<distill::SearchHit>> nearest);

private:
    ShotRankWorker* worker_;
};

}  // namespace distill::ui
