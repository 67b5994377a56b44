#pragma once
// The threshold sweep (issue 4 item 7, `distill communities --sweep` in the
// GUI): for a range of cosine thresholds at one min size, how many
// communities the last run's embeddings give and how much of the corpus
// they cover, as a chart and a table. Clicking a point or a row makes that
// threshold (and the min size swept at) the project's, so the next Run
// uses it.
//
// It sits in the Run tab beside the settings rather than in the Cluster
// Map: a sweep is for choosing the next run's threshold, not for reading
// the last run's clusters, and there the curator sees the Threshold box
// change as they click. It reads the embeddings the last run left in its
// cache (PipelineResult::embeddings_file), so nothing is embedded again;
// the sweep itself runs on a ThresholdSweeper's thread.
//
// The range of the last sweep started is remembered (QSettings), so a
// curator's usual range outlives the session; so is a min size tried here,
// with the project min size it was tried against (see showProjectSettings).
// When the project clusters with k-means, the window asks before a choice
// switches it to community detection; a declined choice leaves the table
// on the project's threshold.
#include <QWidget>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "distill/cluster.h"
#include "distill/project.h"

class QCPGraph;
class QCPItemStraightLine;
class QCustomPlot;
class QDoubleSpinBox;
class QLabel;
class QMouseEvent;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace distill::ui {

class ThresholdSweeper;
struct PipelineOutcome;

class ThresholdSweepView : public QWidget {
    Q_OBJECT
public:
    // Each cell's Qt::UserRole holds its exact number: the threshold, the
    // count of communities, the count of questions covered.
    enum Column { ThresholdColumn, CommunitiesColumn, CoveredColumn, ColumnCount };

    explicit ThresholdSweepView(QWidget* parent = nullptr);
    ~ThresholdSweepView() override;

    // The run whose embeddings are swept; null before any run, when the
    // panel says a run is needed. A new run clears the last sweep's rows
    // (they describe the old embeddings) and cancels a sweep in progress.
    void setOutcome(std::shared_ptr<const PipelineOutcome> outcome);
    // The project's settings as edited: its threshold is marked on the chart
    // and its row selected, its min size becomes the sweep's when it
    // changed (or the min size the last session tried against it, the first
    // time it is shown), and the sweep computes on its embedding device.
    void showProjectSettings(const PipelineSettings& settings);
    // Neighbour lists the sweep's single pass may keep (SweepOptions); core's
    // 1 GiB unless set.
    void setMemberBudgetBytes(std::size_t bytes) { memberBudgetBytes_ = bytes; }

    // Sweeps the range shown; a bad range or no run yet is reported instead.
    // Ends with sweepFinished(), also when nothing could start.
    void startSweep();
    void cancelSweep();
    bool isSweeping() const;

    // The last sweep's rows; null before one finished for this run.
    std::shared_ptr<const SweepResult> result() const { return result_; }
    // Where the point of the sweep's `row` is drawn, in plot widget
    // coordinates (for hover and click, and tests that do both).
    QPointF pixelOf(int row) const;

signals:
    // The curator clicked the sweep's row or point for `threshold`.
    void thresholdChosen(double threshold, std::size_t minSize);
    // A sweep could not start or failed: `message` says why and what to do.
    void sweepFailed(const QString& message);
    // A sweep ended: finished (the rows are shown), or failed or cancelled.
    void sweepFinished(bool finished);

private:
    void updateEnabled();
    void showIdleStatus();
    void showProgress(quint64 done, quint64 total);
    void onFinished(std::shared_ptr<const SweepResult> result);
    void onFailed(const QString& message);
    void onCancelled();
    void showResult();
    void showCurrentThreshold();
    // The sweep's row whose point is nearest `x` (plot pixels) within a few
    // pixels; -1 when none is.
    int rowNearX(double x) const;
    void showHover(QMouseEvent* event);
    void clickAt(QMouseEvent* event);
    // Offers the sweep's `row` as the project's threshold and min size.
    void chooseRow(int row);
    // The range of the last sweep started, in the application's QSettings.
    void rememberRange();
    void restoreRange();
    QString describe(const SweepRow& row) const;

    ThresholdSweeper* sweeper_;
    std::shared_ptr<const PipelineOutcome> outcome_;
    std::shared_ptr<const SweepResult> result_;
    std::shared_ptr<const PipelineOutcome> sweptOutcome_;  // the run a sweep in progress reads
    // Min sizes as asked, before core caps them at the row count: of the
    // sweep in progress, and of the rows shown (a cancelled sweep's differs).
    std::size_t sweepingMinSize_ = 0;
    std::size_t resultMinSize_ = 0;
    double currentThreshold_ = 0;  // the project's; NaN while it clusters with k-means
    std::size_t projectMinSize_ = 0;
    // A min size the last session swept at instead of the project's, and
    // that project's min size; shown once a project with it is.
    struct TriedMinSize {
        std::size_t minSize;
        std::size_t projectMinSize;
    };
    std::optional<TriedMinSize> restoredMinSize_;
    // The row the last selection change chose, until the project's
    // threshold is shown again; and whether the press under way chose it.
    int rowChosenBySelection_ = -1;
    bool pressChoseRow_ = false;
    std::string device_ = "auto";
    std::size_t memberBudgetBytes_ = SweepOptions{}.member_budget_bytes;
    QPoint pressedAt_;

    QDoubleSpinBox* from_;
    QDoubleSpinBox* to_;
    QDoubleSpinBox* step_;
    QSpinBox* minSize_;
    QPushButton* sweepButton_;
    QPushButton* cancelButton_;
    QLabel* status_;
    QProgressBar* progress_;
    QCustomPlot* plot_;
    QCPGraph* communitiesGraph_;
    QCPGraph* coveredGraph_;
    QCPItemStraightLine* currentLine_;
    QTableWidget* table_;
};

}  // namespace distill::ui
