#pragma once
// The cluster map (SPEC §7): every corpus row at its 2-D projection,
// coloured by cluster (outliers light grey), with zoom and pan; hovering a
// point shows its question, clicking one selects its cluster and lists the
// cluster's members (sampled ones marked), keywords and size beside the
// plot; a bar chart of cluster sizes below, which selects on click too.
//
// Built for 700k rows: points live in a handful of QCPGraphs (one per
// colour, adaptive sampling), never one object per point, and the nearest
// point is found through a uniform grid rather than a scan.
#include <QWidget>

#include <memory>
#include <vector>

#include "pipeline_worker.h"

class QCPBars;
class QCPGraph;
class QCustomPlot;
class QLabel;
class QListWidget;
class QMouseEvent;

namespace distill::ui {

class ClusterMapView : public QWidget {
    Q_OBJECT
public:
    explicit ClusterMapView(QWidget* parent = nullptr);
    ~ClusterMapView() override;

    // Shows the run's map; null clears it.
    void setOutcome(std::shared_ptr<const PipelineOutcome> outcome);

    // Points drawn, over every cluster and the outliers.
    std::size_t pointCount() const;
    // Index into the map's clusters; -1 for none.
    int selectedCluster() const { return selected_; }
    void selectCluster(int cluster);
    // The row nearest to `pixel` (plot widget coordinates) within a few
    // pixels; -1 when none is that close.
    long long rowAt(QPointF pixel) const;
    // Where `row` is drawn, in plot widget coordinates.
    QPointF pixelOf(std::size_t row) const;

signals:
    void clusterSelected(int cluster);

private:
    class PointGrid;

    void buildScatter();
    void buildSizeChart();
    void showHover(QMouseEvent* event);
    void clickAt(QMouseEvent* event);

    std::shared_ptr<const PipelineOutcome> outcome_;
    std::vector<int> clusterOf_;  // per row; -1 for an outlier
    std::unique_ptr<PointGrid> grid_;
    int selected_ = -1;
    QPoint pressedAt_;

    QCustomPlot* plot_;
    std::vector<QCPGraph*> colourGraphs_;  // outliers first, then one per palette colour
    QCPGraph* selectionGraph_ = nullptr;
    QCustomPlot* sizes_;
    QCPBars* sizeBars_ = nullptr;
    QLabel* title_;
    QLabel* keywords_;
    QListWidget* members_;
};

}  // namespace distill::ui
