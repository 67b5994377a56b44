#include "corpus_summary_view.h"

#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QTableWidget>
#include <QVBoxLayout>

namespace distill::ui {
namespace {

enum Column { SourceColumn, RecordsColumn, SkippedColumn, SizeColumn, FileColumn, ColumnCount };

QTableWidgetItem* numberItem(const QString& text) {
    auto* item = new QTableWidgetItem(text);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

}  // namespace

CorpusSummaryView::CorpusSummaryView(QWidget* parent)
    : QWidget(parent),
      totals_(new QLabel(this)),
      outOfDate_(new QLabel(tr("The sources changed after this load: load the corpus again to update it."), this)),
      perSource_(new QTableWidget(0, ColumnCount, this)),
      problemsTitle_(new QLabel(this)),
      problems_(new QListWidget(this)) {
    totals_->setObjectName("corpusTotals");
    totals_->setWordWrap(true);
    totals_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    totals_->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Maximum);
    outOfDate_->setObjectName("corpusOutOfDate");
    outOfDate_->setWordWrap(true);
    QFont italic = outOfDate_->font();
    italic.setItalic(true);
    outOfDate_->setFont(italic);

    perSource_->setObjectName("sourceCounts");
    perSource_->setHorizontalHeaderLabels({tr("Source"), tr("Records"), tr("Skipped"), tr("Size"), tr("File")});
    perSource_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    perSource_->setSelectionBehavior(QAbstractItemView::SelectRows);
    perSource_->setAlternatingRowColors(true);
    perSource_->setWordWrap(false);
    perSource_->verticalHeader()->hide();
    perSource_->verticalHeader()->setDefaultSectionSize(perSource_->fontMetrics().height() + 8);
    perSource_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    perSource_->horizontalHeader()->setStretchLastSection(true);

    problems_->setObjectName("problems");
    problems_->setWordWrap(true);
    problems_->setMaximumHeight(90);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(totals_);
    layout->addWidget(outOfDate_);
    layout->addWidget(perSource_, 1);
    layout->addWidget(problemsTitle_);
    layout->addWidget(problems_);
    // Takes the room the hidden table leaves before a load, so the
    // message sits at the top rather than in the middle.
    layout->addStretch(0);
    clear();
}

void CorpusSummaryView::clear() {
    showNothing(tr("No corpus loaded yet. Point each source at a local file, then press Load Corpus."));
}

void CorpusSummaryView::showLoading() { showNothing(tr("Reading the sources…")); }

void CorpusSummaryView::showNothing(const QString& message) {
    totals_->setText(message);
    outOfDate_->hide();
    perSource_->setRowCount(0);
    perSource_->hide();
    problemsTitle_->hide();
    problems_->clear();
    problems_->hide();
}

void CorpusSummaryView::markOutOfDate() {
    if (perSource_->isVisibleTo(this)) outOfDate_->show();
}

void CorpusSummaryView::showCorpus(const CorpusReport& report, std::size_t records) {
    const QLocale locale;
    const auto counted = [&locale](std::size_t n, const QString& one, const QString& many) {
        return (n == 1 ? one : many).arg(locale.toString(qulonglong(n)));
    };
    totals_->setText(tr("<b>%1</b> pooled from %2 · %3 replaced · %4 skipped")
                         .arg(counted(records, tr("%1 record"), tr("%1 records")),
                              counted(report.sources.size(), tr("%1 source"), tr("%1 sources")),
                              counted(report.duplicates_replaced, tr("%1 duplicate question"),
                                      tr("%1 duplicate questions")),
                              counted(report.skipped(), tr("%1 line"), tr("%1 lines"))));
    outOfDate_->hide();

    perSource_->setRowCount(int(report.sources.size()));
    for (int row = 0; row < int(report.sources.size()); ++row) {
        const SourceReport& source = report.sources[size_t(row)];
        const QString path = QString::fromStdString(source.path);
        perSource_->setItem(row, SourceColumn, new QTableWidgetItem(QString::fromStdString(source.name)));
        perSource_->setItem(row, RecordsColumn, numberItem(locale.toString(qulonglong(source.records))));
        perSource_->setItem(row, SkippedColumn, numberItem(locale.toString(qulonglong(source.skipped))));
        perSource_->setItem(row, SizeColumn, numberItem(locale.formattedDataSize(qint64(source.bytes))));
        auto* file = new QTableWidgetItem(path);
        file->setToolTip(path);
        perSource_->setItem(row, FileColumn, file);
    }
    perSource_->show();

    problems_->clear();
    for (const InputProblem& problem : report.problems)
        problems_->addItem(QString::fromStdString(problem.to_string()));
    const bool anyProblem = !report.problems.empty();
    if (anyProblem) {
        const bool allKept = report.problems.size() >= report.skipped();
        problemsTitle_->setText(allKept ? tr("Skipped lines:")
                                        : tr("First %1 of %2 skipped lines:")
                                              .arg(report.problems.size())
                                              .arg(locale.toString(qulonglong(report.skipped()))));
    }
    problemsTitle_->setVisible(anyProblem);
    problems_->setVisible(anyProblem);
}

}  // namespace distill::ui
