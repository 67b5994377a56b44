#pragma once
// Runs distill::pool_sources on the thread it has been moved to and reports
// back with queued signals, so the window never waits on file reading.
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>
#include <vector>

#include "distill/corpus.h"

namespace distill::ui {

class CorpusWorker : public QObject {
    Q_OBJECT
public:
    // `cancelRequested` is owned by whoever drives the worker and is set
    // from the GUI thread while load() runs, hence atomic.
    explicit CorpusWorker(const std::atomic_bool& cancelRequested) : cancelRequested_(cancelRequested) {}

    // Emits exactly one of loaded(), failed() or cancelled(), preceded by
    // throttled progress().
    void load(const std::vector<SourceSpec>& sources, BadInputPolicy policy);

signals:
    // Bytes read of all sources; `total` 0 means unknown.
    void progress(quint64 done, quint64 total);
    void loaded(std::shared_ptr<const distill::Corpus> corpus);
    // `message` is core's one-line "file:line: problem; fix".
    void failed(const QString& message);
    void cancelled();

private:
    const std::atomic_bool& cancelRequested_;
};

}  // namespace distill::ui
