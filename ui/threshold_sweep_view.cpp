#include "threshold_sweep_view.h"

#include <QDoubleSpinBox>
#include <QFontMetrics>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QToolTip>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "distill/error.h"
#include "pipeline_worker.h"
#include "threshold_sweeper.h"

namespace distill::ui {
namespace {

// How close, in pixels along the threshold axis, the pointer must be to a
// point to pick it: a whole column, so a curator need not hit the marker.
constexpr double kPickRadius = 10;

// The settings' Threshold box shows three decimals; a finer step here would
// offer thresholds the box rounds away, and the run would not be the row.
constexpr int kThresholdDecimals = 3;

QDoubleSpinBox* thresholdBox(const char* objectName, double value) {
    auto* box = new QDoubleSpinBox;
    box->setObjectName(objectName);
    box->setDecimals(kThresholdDecimals);
    box->setRange(0.0, 1.0);
    box->setSingleStep(0.05);
    box->setValue(value);
    return box;
}

QCPGraph* lineGraph(QCustomPlot* plot, QCPAxis* valueAxis, const QColor& colour, QCPScatterStyle::ScatterShape shape,
                    const QString& name) {
    QCPGraph* graph = plot->addGraph(plot->xAxis, valueAxis);
    graph->setName(name);
    graph->setPen(QPen(colour, 2));
    graph->setScatterStyle(QCPScatterStyle(shape, colour, Qt::white, 7));
    return graph;
}

// Thresholds as the settings' box holds them (three decimals).
bool sameThreshold(double a, double b) { return std::abs(a - b) < 0.5e-3; }

// The panel's group in the application's QSettings.
constexpr auto kSettingsGroup = "thresholdSweep";

QTableWidgetItem* numberItem(const QString& text, const QVariant& value) {
    auto* item = new QTableWidgetItem(text);
    item->setData(Qt::UserRole, value);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

}  // namespace

ThresholdSweepView::ThresholdSweepView(QWidget* parent)
    : QWidget(parent),
      sweeper_(new ThresholdSweeper(this)),
      from_(thresholdBox("sweepFrom", 0.5)),
      to_(thresholdBox("sweepTo", 0.95)),
      step_(thresholdBox("sweepStep", 0.05)),
      minSize_(new QSpinBox),
      sweepButton_(new QPushButton(tr("S&weep"))),
      cancelButton_(new QPushButton(tr("Cancel"))),
      status_(new QLabel),
      progress_(new QProgressBar),
      plot_(new QCustomPlot),
      table_(new QTableWidget(0, ColumnCount)) {
    step_->setSingleStep(0.01);
    minSize_->setObjectName("sweepMinSize");
    minSize_->setRange(1, std::numeric_limits<int>::max());
    minSize_->setGroupSeparatorShown(true);
    sweepButton_->setObjectName("sweepButton");
    sweepButton_->setToolTip(tr("Count communities at every threshold of the range, from the last run's embeddings"));
    cancelButton_->setObjectName("cancelSweep");
    status_->setObjectName("sweepStatus");
    status_->setWordWrap(true);
    progress_->setObjectName("sweepProgress");
    progress_->setFormat(QStringLiteral("%p%"));
    progress_->setVisible(false);

    plot_->setObjectName("sweepPlot");
    plot_->setMinimumSize(240, 160);
    plot_->setMouseTracking(true);
    plot_->xAxis->setLabel(tr("cosine threshold"));
    plot_->yAxis->setLabel(tr("communities"));
    plot_->yAxis2->setLabel(tr("covered %"));  // short: the plot may be 160 px tall
    plot_->yAxis2->setVisible(true);
    communitiesGraph_ = lineGraph(plot_, plot_->yAxis, QColor(31, 119, 180), QCPScatterStyle::ssCircle,
                                  tr("communities"));
    coveredGraph_ = lineGraph(plot_, plot_->yAxis2, QColor(255, 127, 14), QCPScatterStyle::ssDiamond,
                              tr("covered %"));
    currentLine_ = new QCPItemStraightLine(plot_);
    currentLine_->setPen(QPen(Qt::darkGray, 1, Qt::DashLine));
    currentLine_->setVisible(false);
    // The legend in a row of its own above the chart: inside, it would
    // hide part of the curves wherever it went.
    plot_->legend->setVisible(true);
    plot_->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    plot_->legend->setBorderPen(Qt::NoPen);
    plot_->plotLayout()->insertRow(0);
    plot_->plotLayout()->addElement(0, 0, plot_->legend);
    plot_->plotLayout()->setRowStretchFactor(0, 0.001);
    connect(plot_, &QCustomPlot::mouseMove, this, &ThresholdSweepView::showHover);
    connect(plot_, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) { pressedAt_ = event->pos(); });
    connect(plot_, &QCustomPlot::mouseRelease, this, &ThresholdSweepView::clickAt);

    table_->setObjectName("sweepTable");
    table_->setHorizontalHeaderLabels({tr("Threshold"), tr("Communities"), tr("Covered")});
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->verticalHeader()->setVisible(false);
    // Three short numbers on one line each, Covered taking the spare width,
    // never narrower than their titles and a 700k run's figures: Covered
    // must not hide behind a horizontal scroll bar.
    table_->setWordWrap(false);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(CoveredColumn, QHeaderView::Stretch);
    {
        const QFontMetrics metrics(table_->font());
        const QLocale locale;
        const QStringList widest = {tr("Threshold"), tr("Communities"),
                                    tr("%1 (%2%)").arg(locale.toString(700000), locale.toString(100.0, 'f', 1))};
        int width = 2 * table_->frameWidth() + table_->verticalScrollBar()->sizeHint().width();
        for (const QString& text : widest) width += metrics.horizontalAdvance(text) + metrics.averageCharWidth();
        table_->setMinimumWidth(width);
    }
    // A selection (keys, or a press) chooses its row. A click on the row
    // already selected changes no selection but may still be a choice (of
    // its min size), hence the click too; but a press that selected its row
    // chose it already, and a choice the window declined is not asked twice.
    connect(table_, &QTableWidget::itemSelectionChanged, this, [this] {
        const QList<QTableWidgetSelectionRange> ranges = table_->selectedRanges();
        if (ranges.isEmpty()) return;
        const int row = ranges.first().topRow();
        chooseRow(row);
        rowChosenBySelection_ = row;
    });
    connect(table_, &QTableWidget::cellPressed, this, [this](int row, int) {
        pressChoseRow_ = row == rowChosenBySelection_;
        rowChosenBySelection_ = -1;
    });
    connect(table_, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (!pressChoseRow_) chooseRow(row);
    });

    auto* rangeLabel = new QLabel(tr("Ran&ge from"));
    rangeLabel->setBuddy(from_);
    auto* minSizeLabel = new QLabel(tr("at mi&n size"));
    minSizeLabel->setBuddy(minSize_);
    // Two rows, so the panel beside the settings still fits a 1366-pixel screen.
    auto* range = new QHBoxLayout;
    range->addWidget(rangeLabel);
    range->addWidget(from_);
    range->addWidget(new QLabel(tr("to")));
    range->addWidget(to_);
    range->addWidget(new QLabel(tr("step")));
    range->addWidget(step_);
    range->addStretch(1);
    auto* run = new QHBoxLayout;
    run->addWidget(minSizeLabel);
    run->addWidget(minSize_);
    run->addStretch(1);
    run->addWidget(sweepButton_);
    run->addWidget(cancelButton_);
    auto* inputs = new QVBoxLayout;
    inputs->addLayout(range);
    inputs->addLayout(run);

    // Side by side: the panel shares its height with the settings form,
    // and a sweep's ten-odd rows fit beside the chart but not below it.
    auto* results = new QSplitter(Qt::Horizontal);
    results->addWidget(plot_);
    results->addWidget(table_);
    results->setStretchFactor(0, 1);
    results->setStretchFactor(1, 0);
    results->setSizes({400, 280});  // the table's columns without scrolling
    results->setChildrenCollapsible(false);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(inputs);
    layout->addWidget(status_);
    layout->addWidget(progress_);
    layout->addWidget(results, 1);

    connect(sweepButton_, &QPushButton::clicked, this, &ThresholdSweepView::startSweep);
    connect(cancelButton_, &QPushButton::clicked, this, &ThresholdSweepView::cancelSweep);
    connect(sweeper_, &ThresholdSweeper::progress, this, &ThresholdSweepView::showProgress);
    connect(sweeper_, &ThresholdSweeper::finished, this, &ThresholdSweepView::onFinished);
    connect(sweeper_, &ThresholdSweeper::failed, this, &ThresholdSweepView::onFailed);
    connect(sweeper_, &ThresholdSweeper::cancelled, this, &ThresholdSweepView::onCancelled);

    restoreRange();
    setOutcome(nullptr);
}

ThresholdSweepView::~ThresholdSweepView() = default;

void ThresholdSweepView::setOutcome(std::shared_ptr<const PipelineOutcome> outcome) {
    // A sweep still going is of the previous embeddings; onCancelled (or a
    // late onFinished) finds the outcome changed and shows nothing of it.
    sweeper_->cancel();
    outcome_ = std::move(outcome);
    result_.reset();
    showResult();
    showIdleStatus();
    updateEnabled();
}

void ThresholdSweepView::showIdleStatus() {
    status_->setText(outcome_ ? tr("Sweep the thresholds over the last run's %1 questions; its embeddings are reused.")
                                    .arg(QLocale().toString(qulonglong(outcome_->records.size())))
                              : tr("Run the pipeline first: the sweep reads the embeddings a run leaves."));
}

void ThresholdSweepView::showProjectSettings(const PipelineSettings& settings) {
    // k-means uses no threshold: none is marked, and every row is a choice.
    currentThreshold_ = settings.clustering == "kmeans" ? std::numeric_limits<double>::quiet_NaN() : settings.threshold;
    device_ = settings.embed.device;
    // Only a change of the project's min size moves the sweep's: a min size
    // typed here for a what-if sweep survives editing other settings.
    if (settings.min_community_size != projectMinSize_) {
        projectMinSize_ = settings.min_community_size;
        std::size_t shown = projectMinSize_;
        if (restoredMinSize_ && restoredMinSize_->projectMinSize == projectMinSize_) {
            shown = restoredMinSize_->minSize;
            restoredMinSize_.reset();
        }
        minSize_->setValue(int(std::min<std::size_t>(shown, std::numeric_limits<int>::max())));
    }
    showCurrentThreshold();
}

bool ThresholdSweepView::isSweeping() const { return sweeper_->isRunning(); }

void ThresholdSweepView::updateEnabled() {
    const bool sweeping = sweeper_->isRunning();
    for (QWidget* input : std::initializer_list<QWidget*>{from_, to_, step_, minSize_}) input->setEnabled(!sweeping);
    sweepButton_->setEnabled(outcome_ && !sweeping);
    cancelButton_->setEnabled(sweeping);
    progress_->setVisible(sweeping);
}

void ThresholdSweepView::startSweep() {
    if (sweeper_->isRunning()) return;
    if (!outcome_) {
        emit sweepFailed(tr("Run the pipeline first: the sweep reads the embeddings a run leaves."));
        emit sweepFinished(false);
        return;
    }
    SweepOptions options;
    try {
        // Plain arithmetic in core, so a bad range is refused before any thread starts.
        options.thresholds = threshold_steps(from_->value(), to_->value(), step_->value());
    } catch (const Error& e) {
        status_->setText(tr("No sweep: %1").arg(QString::fromStdString(e.what())));
        emit sweepFailed(QString::fromStdString(e.what()));
        emit sweepFinished(false);
        return;
    }
    rememberRange();
    options.min_size = std::size_t(minSize_->value());
    options.compute.device = device_;
    options.member_budget_bytes = memberBudgetBytes_;
    sweepingMinSize_ = options.min_size;
    sweptOutcome_ = outcome_;
    status_->setText(
        tr("Sweeping %1 thresholds at min size %2…").arg(options.thresholds.size()).arg(sweepingMinSize_));
    progress_->setRange(0, 0);
    sweeper_->start(outcome_->result.embeddings_file, outcome_->records.size(), std::move(options));
    updateEnabled();
}

void ThresholdSweepView::rememberRange() {
    restoredMinSize_.reset();  // this sweep's memory replaces the last session's
    QSettings settings;
    settings.beginGroup(QLatin1String(kSettingsGroup));
    settings.setValue("from", from_->value());
    settings.setValue("to", to_->value());
    settings.setValue("step", step_->value());
    // The project's own min size is not the curator's to remember: the
    // next project shown brings its own.
    const auto minSize = std::size_t(minSize_->value());
    if (minSize != projectMinSize_) {
        settings.setValue("minSize", qulonglong(minSize));
        settings.setValue("projectMinSize", qulonglong(projectMinSize_));
    } else {
        settings.remove("minSize");
        settings.remove("projectMinSize");
    }
}

void ThresholdSweepView::restoreRange() {
    QSettings settings;
    settings.beginGroup(QLatin1String(kSettingsGroup));
    // Unset (a first session) or unreadable, each box keeps its default.
    for (auto [box, key] : {std::pair{from_, "from"}, std::pair{to_, "to"}, std::pair{step_, "step"}}) {
        bool read = false;
        const double value = settings.value(key).toDouble(&read);
        if (read) box->setValue(value);
    }
    bool minSizeRead = false, projectMinSizeRead = false;
    const qulonglong minSize = settings.value("minSize").toULongLong(&minSizeRead);
    const qulonglong projectMinSize = settings.value("projectMinSize").toULongLong(&projectMinSizeRead);
    if (minSizeRead && projectMinSizeRead) restoredMinSize_ = TriedMinSize{minSize, projectMinSize};
}

void ThresholdSweepView::cancelSweep() {
    if (!sweeper_->isRunning()) return;
    sweeper_->cancel();
    cancelButton_->setEnabled(false);
    status_->setText(tr("Cancelling…"));
}

void ThresholdSweepView::showProgress(quint64 done, quint64 total) {
    if (total == 0) {
        progress_->setRange(0, 0);  // unknown total: a busy bar
    } else {
        progress_->setRange(0, 1000);
        progress_->setValue(int(qMin<quint64>(done, total) * 1000 / total));
    }
}

void ThresholdSweepView::onFinished(std::shared_ptr<const SweepResult> result) {
    // Cancelled by a new run or project when it was already done: its rows
    // are of embeddings no longer on screen.
    if (sweptOutcome_ != outcome_) return onCancelled();
    sweptOutcome_.reset();
    updateEnabled();
    result_ = std::move(result);
    resultMinSize_ = sweepingMinSize_;
    showResult();
    const QString rows = tr("%1 thresholds at min size %2").arg(result_->rows.size()).arg(resultMinSize_);
    status_->setText(
        result_->one_pass
            ? tr("%1, from one similarity pass on %2. Click a row or a point to make its threshold the project's.")
                  .arg(rows, QString::fromStdString(result_->device))
            : tr("%1. The neighbour lists at the lowest threshold did not fit in the memory bound (%2 MiB), so "
                 "each threshold had a pass of its own: the same numbers, only slower. Click a row or a point to "
                 "make its threshold the project's.")
                  .arg(rows)
                  .arg(memberBudgetBytes_ >> 20));
    emit sweepFinished(true);
}

void ThresholdSweepView::onFailed(const QString& message) {
    sweptOutcome_.reset();
    updateEnabled();
    status_->setText(tr("The sweep failed: %1").arg(message));
    emit sweepFailed(message);
    emit sweepFinished(false);
}

void ThresholdSweepView::onCancelled() {
    const bool stale = sweptOutcome_ != outcome_;
    sweptOutcome_.reset();
    updateEnabled();
    if (stale)
        showIdleStatus();  // not the curator's Cancel: a new run or project stopped it
    else
        status_->setText(result_ ? tr("Sweep cancelled; the rows below are the previous sweep's.")
                                 : tr("Sweep cancelled."));
    emit sweepFinished(false);
}

void ThresholdSweepView::showResult() {
    const QSignalBlocker noChoice(table_);
    table_->setRowCount(0);
    QVector<double> thresholds, communities, coveredShares;
    if (result_) {
        const QLocale locale;
        const double corpus = double(std::max<std::size_t>(outcome_->records.size(), 1));
        table_->setRowCount(int(result_->rows.size()));
        for (int r = 0; r < int(result_->rows.size()); ++r) {
            const SweepRow& row = result_->rows[std::size_t(r)];
            const double share = 100.0 * double(row.covered) / corpus;
            table_->setItem(r, ThresholdColumn,
                            numberItem(locale.toString(row.threshold, 'f', kThresholdDecimals), row.threshold));
            table_->setItem(r, CommunitiesColumn,
                            numberItem(locale.toString(qulonglong(row.communities)), qulonglong(row.communities)));
            table_->setItem(r, CoveredColumn,
                            numberItem(tr("%1 (%2%)").arg(locale.toString(qulonglong(row.covered)),
                                                          locale.toString(share, 'f', 1)),
                                       qulonglong(row.covered)));
            thresholds.push_back(row.threshold);
            communities.push_back(double(row.communities));
            coveredShares.push_back(share);
        }
    }
    // QCPGraph binary-searches its keys (ARCHITECTURE.md rule 6); the rows
    // come in the range's order, but let it sort rather than rely on that.
    communitiesGraph_->setData(thresholds, communities, /*alreadySorted=*/false);
    coveredGraph_->setData(thresholds, coveredShares, /*alreadySorted=*/false);
    if (!thresholds.isEmpty()) {
        const auto [lo, hi] = std::minmax_element(thresholds.begin(), thresholds.end());
        const double margin = std::max((*hi - *lo) * 0.05, 0.02);
        plot_->xAxis->setRange(*lo - margin, *hi + margin);
        const double most = *std::max_element(communities.begin(), communities.end());
        plot_->yAxis->setRange(0, std::max(most, 1.0) * 1.1);
    } else {
        plot_->xAxis->setRange(0.5 - 0.025, 0.95 + 0.025);
        plot_->yAxis->setRange(0, 10);
    }
    plot_->yAxis2->setRange(0, 105);
    showCurrentThreshold();
}

void ThresholdSweepView::showCurrentThreshold() {
    currentLine_->point1->setCoords(currentThreshold_, 0);
    currentLine_->point2->setCoords(currentThreshold_, 1);
    currentLine_->setVisible(outcome_ != nullptr && !std::isnan(currentThreshold_));
    // The row of the project's threshold is the selected one, so the table
    // says which is in use; selecting it here is no choice of the curator's.
    const QSignalBlocker noChoice(table_);
    table_->clearSelection();
    rowChosenBySelection_ = -1;
    if (result_)
        for (int r = 0; r < int(result_->rows.size()); ++r)
            if (sameThreshold(result_->rows[std::size_t(r)].threshold, currentThreshold_)) {
                table_->selectRow(r);
                break;
            }
    plot_->replot();
}

QPointF ThresholdSweepView::pixelOf(int row) const {
    const SweepRow& r = result_->rows.at(std::size_t(row));
    return {communitiesGraph_->keyAxis()->coordToPixel(r.threshold),
            communitiesGraph_->valueAxis()->coordToPixel(double(r.communities))};
}

int ThresholdSweepView::rowNearX(double x) const {
    if (!result_) return -1;
    int best = -1;
    double bestDistance = kPickRadius;
    for (int r = 0; r < int(result_->rows.size()); ++r)
        if (const double d = std::abs(plot_->xAxis->coordToPixel(result_->rows[std::size_t(r)].threshold) - x);
            d <= bestDistance)
            bestDistance = d, best = r;
    return best;
}

QString ThresholdSweepView::describe(const SweepRow& row) const {
    const QLocale locale;
    const std::size_t corpus = outcome_->records.size();
    return tr("Threshold %1 (min size %2)\n%3 communities\n%4 of %5 questions covered (%6%)")
        .arg(locale.toString(row.threshold, 'f', kThresholdDecimals))
        .arg(resultMinSize_)
        .arg(locale.toString(qulonglong(row.communities)))
        .arg(locale.toString(qulonglong(row.covered)), locale.toString(qulonglong(corpus)))
        .arg(locale.toString(100.0 * double(row.covered) / double(std::max<std::size_t>(corpus, 1)), 'f', 1));
}

void ThresholdSweepView::showHover(QMouseEvent* event) {
    const int row = rowNearX(event->position().x());
    if (row < 0) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(event->globalPosition().toPoint(), describe(result_->rows[std::size_t(row)]), plot_);
}

void ThresholdSweepView::clickAt(QMouseEvent* event) {
    if (event->button() != Qt::LeftButton || (event->pos() - pressedAt_).manhattanLength() > 3) return;
    if (const int row = rowNearX(event->position().x()); row >= 0) chooseRow(row);
}

void ThresholdSweepView::chooseRow(int row) {
    if (!result_ || row < 0 || row >= int(result_->rows.size())) return;
    const double threshold = result_->rows[std::size_t(row)].threshold;
    // Choosing what the project already has is no edit.
    if (sameThreshold(threshold, currentThreshold_) && resultMinSize_ == projectMinSize_) return;
    emit thresholdChosen(threshold, resultMinSize_);
    // Declined, the selection goes back to the project's threshold rather
    // than show a choice that was not made. Queued: put back while the table
    // is still handling the key that selected the row, the table selects
    // the row again, and the curator would be asked twice.
    QMetaObject::invokeMethod(this, &ThresholdSweepView::showCurrentThreshold, Qt::QueuedConnection);
}

}  // namespace distill::ui
