#pragma once
// The run's stages, one row each: waiting, running (with a progress bar),
// cached or done, with the stage's one-line summary and how long it took.
#include <QWidget>

#include "distill/pipeline.h"

class QProgressBar;
class QTableWidget;

namespace distill::ui {

class StageListView : public QWidget {
    Q_OBJECT
public:
    enum Column { StageColumn, StateColumn, ProgressColumn, SecondsColumn, SummaryColumn, ColumnCount };

    explicit StageListView(QWidget* parent = nullptr);

    // Every stage waiting: a run is about to start.
    void reset();
    void showStageEvent(const StageEvent& event);
    // The running stage's bar, and what it does in its summary column.
    void showProgress(int stageIndex, const QString& activity, quint64 done, quint64 total);
    // The running stage, if any, ends as `state` ("cancelled", "failed").
    void interrupt(const QString& state);

    // The state column of the stage at `index`, as shown.
    QString stateOf(int index) const;
    // Tall enough for every stage; the minimum is three.
    QSize sizeHint() const override;

private:
    void setState(int row, const QString& state);

    QTableWidget* table_;
    std::vector<QProgressBar*> bars_;
    int running_ = -1;
    int fullHeight_ = 0;
};

}  // namespace distill::ui
