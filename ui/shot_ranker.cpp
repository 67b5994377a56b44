#include "shot_ranker.h"

#include "distill/embedder.h"
#include "distill/error.h"

namespace distill::ui {

void ShotRankWorker::rank(const std::string& embeddingsFile, std::size_t expectedRows, std::size_t origin,
                          std::size_t count) {
    runGuarded([&] {
        if (!index_ || embeddingsFile != loadedFile_) {
            loadedFile_.clear();
            index_.reset();  // not the old vectors and the new ones at once
            // The dialog lists corpus rows: vectors of another corpus, or
            // changed since the run, would rank questions that are not the
            // ones shown.
            index_.emplace(read_cached_embeddings(embeddingsFile, expectedRows));
            loadedFile_ = embeddingsFile;
        }
        if (index_->rows() != expectedRows)
            throw Error(embeddingsFile + ": " + std::to_string(index_->rows()) + " rows, but the last run had " +
                        std::to_string(expectedRows) + " questions; run again");
        if (origin >= expectedRows)
            throw Error("origin row " + std::to_string(origin) + " is past the last run's " +
                        std::to_string(expectedRows) + " questions; run again");
        SearchOptions options;
        options.top_k = std::min(count, expectedRows - 1);
        options.exclude = {std::int64_t(origin)};
        // One query: a pass over the vectors on the CPU costs less than
        // copying them to a GPU.
        options.compute.device = "cpu";
        auto nearest = std::make_shared<std::vector<SearchHit>>();
        if (options.top_k > 0) *nearest = std::move(index_->search(index_->query_for(origin), options).front());
        emit ranked(qulonglong(origin), std::move(nearest));
    });
}

ShotRanker::ShotRanker(QObject* parent)
    : BackgroundJob("shot ranking", parent), worker_(adopt(std::make_unique<ShotRankWorker>(cancelFlag()))) {
    qRegisterMetaType<std::shared_ptr<const std::vector<SearchHit>>>();
    connect(worker_, &ShotRankWorker::ranked, this,
            [this](qulonglong origin, std::shared_ptr<const std::vector<SearchHit>> nearest) {
                jobEnded();
                emit ranked(origin, std::move(nearest));
            });
}

void ShotRanker::rank(std::string embeddingsFile, std::size_t expectedRows, std::size_t origin, std::size_t count) {
    post([worker = worker_, file = std::move(embeddingsFile), expectedRows, origin, count] {
        worker->rank(file, expectedRows, origin, count);
    });
}

}  // namespace distill::ui
