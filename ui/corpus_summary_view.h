#pragma once
// What the last corpus load found: records and skipped lines per source,
// duplicates replaced, the pooled total, and the first problems met.
#include <QWidget>

#include "distill/corpus.h"

class QLabel;
class QListWidget;
class QTableWidget;

namespace distill::ui {

class CorpusSummaryView : public QWidget {
    Q_OBJECT
public:
    explicit CorpusSummaryView(QWidget* parent = nullptr);

    // What pooling the sources gave: a Load Corpus's, or a run's corpus stage's.
    void showCorpus(const CorpusReport& report, std::size_t records);
    // Back to "nothing loaded", e.g. for another project.
    void clear();
    // A load is running; earlier figures no longer apply.
    void showLoading();
    // The sources changed after the load; the figures stay for reference.
    void markOutOfDate();

private:
    void showNothing(const QString& message);

    QLabel* totals_;
    QLabel* outOfDate_;
    QTableWidget* perSource_;
    QLabel* problemsTitle_;
    QListWidget* problems_;
};

}  // namespace distill::ui
