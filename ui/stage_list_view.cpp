#include "stage_list_view.h"

#include <QHeaderView>
#include <QProgressBar>
#include <QTableWidget>
#include <QVBoxLayout>

namespace distill::ui {

StageListView::StageListView(QWidget* parent) : QWidget(parent), table_(new QTableWidget(this)) {
    const auto& stages = pipeline_stages();
    table_->setObjectName("stages");
    table_->setColumnCount(ColumnCount);
    table_->setRowCount(int(stages.size()));
    table_->setHorizontalHeaderLabels({tr("Stage"), tr("State"), tr("Progress"), tr("Seconds"), tr("Summary")});
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionMode(QAbstractItemView::NoSelection);
    table_->setFocusPolicy(Qt::NoFocus);
    table_->setWordWrap(false);
    auto* header = table_->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::ResizeToContents);
    header->setSectionResizeMode(ProgressColumn, QHeaderView::Fixed);
    header->resizeSection(ProgressColumn, 140);
    header->setStretchLastSection(true);
    for (int row = 0; row < table_->rowCount(); ++row) {
        for (int column = 0; column < ColumnCount; ++column) table_->setItem(row, column, new QTableWidgetItem);
        table_->item(row, StageColumn)->setText(QString::fromStdString(stages[std::size_t(row)]));
        table_->item(row, SecondsColumn)->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        auto* bar = new QProgressBar;
        bar->setTextVisible(false);
        table_->setCellWidget(row, ProgressColumn, bar);
        bars_.push_back(bar);
    }
    // Every stage in view without scrolling when there is room (the last
    // ones, format and export, are what a curator waits for); on a small
    // screen three rows and a scroll bar, the status bar naming the stage
    // at hand, so that the window still fits a 1280 x 720 screen.
    table_->resizeRowsToContents();
    const int frame = table_->horizontalHeader()->sizeHint().height() + 2 * table_->frameWidth();
    fullHeight_ = frame;
    for (int row = 0; row < table_->rowCount(); ++row) fullHeight_ += table_->rowHeight(row);
    table_->setMinimumHeight(frame + 3 * table_->rowHeight(0));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(table_);
    reset();
}

void StageListView::reset() {
    for (int row = 0; row < table_->rowCount(); ++row) {
        setState(row, tr("waiting"));
        table_->item(row, SecondsColumn)->setText(QString());
        table_->item(row, SummaryColumn)->setText(QString());
        table_->item(row, SummaryColumn)->setToolTip(QString());
        bars_[std::size_t(row)]->setRange(0, 1);
        bars_[std::size_t(row)]->setValue(0);
    }
    running_ = -1;
}

void StageListView::showStageEvent(const StageEvent& event) {
    const int row = int(event.index);
    if (row < 0 || row >= table_->rowCount()) return;
    QProgressBar* bar = bars_[std::size_t(row)];
    if (event.kind == StageEvent::Started) {
        running_ = row;
        setState(row, tr("running"));
        bar->setRange(0, 0);  // busy until the stage reports a total
        return;
    }
    running_ = -1;
    setState(row, event.kind == StageEvent::Cached ? tr("cached") : tr("done"));
    // The view shows its cell widgets whenever it lays them out, so a bar is
    // emptied or filled rather than hidden.
    bar->setRange(0, 1);
    bar->setValue(1);
    table_->item(row, SecondsColumn)->setText(QString::number(event.seconds, 'f', 2));
    const QString summary = QString::fromStdString(event.summary);
    table_->item(row, SummaryColumn)->setText(summary);
    table_->item(row, SummaryColumn)->setToolTip(summary);
}

void StageListView::showProgress(int stageIndex, const QString& activity, quint64 done, quint64 total) {
    if (stageIndex < 0 || stageIndex != running_) return;  // before any stage, or a stage that already ended
    // Its summary replaces this when it ends (interrupt() clears it). An
    // activity named like the stage ("embed") says nothing the row does not.
    const QString shown = activity == table_->item(stageIndex, StageColumn)->text() ? QString() : activity;
    QTableWidgetItem* summary = table_->item(stageIndex, SummaryColumn);
    if (summary->text() != shown) {
        summary->setText(shown);
        summary->setToolTip(shown);
    }
    QProgressBar* bar = bars_[std::size_t(stageIndex)];
    if (total == 0) {
        bar->setRange(0, 0);
    } else {
        bar->setRange(0, 1000);
        bar->setValue(int(qMin(done, total) * 1000 / total));
    }
}

void StageListView::interrupt(const QString& state) {
    if (running_ < 0) return;
    setState(running_, state);
    table_->item(running_, SummaryColumn)->setText(QString());
    table_->item(running_, SummaryColumn)->setToolTip(QString());
    bars_[std::size_t(running_)]->setRange(0, 1);
    bars_[std::size_t(running_)]->setValue(0);
    running_ = -1;
}

QSize StageListView::sizeHint() const { return {QWidget::sizeHint().width(), fullHeight_}; }

QString StageListView::stateOf(int index) const { return table_->item(index, StateColumn)->text(); }

void StageListView::setState(int row, const QString& state) { table_->item(row, StateColumn)->setText(state); }

}  // namespace distill::ui
