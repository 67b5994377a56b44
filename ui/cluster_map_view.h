#pragma once
// The cluster map (SPEC §7): every corpus row at its 2-D projection,
// coloured by cluster (outliers light grey), with zoom and pan; hovering a
// point shows its question, clicking one selects its cluster and lists the
// cluster's members (sampled ones marked), keywords and size beside the
// plot; a bar chart of cluster sizes below, which selects on click too, and
// a table of every cluster beside it (ClusterTableModel), sortable by size
// or sampled members and filtered by keyword, which selects on click.
// Outliers can be hidden (with a large corpus they may be most points), and
// Show All (or a double-click) puts every point shown in view. Colour by
// Sources paints each point in its source's colour instead, with a legend,
// to see where each pooled dataset lies and which clusters mix them.
// A Find box above the map rings every row whose question contains the
// text typed (any case) and says in how many clusters they lie; Enter, Next
// or F3 steps through them in row order, selecting each one's cluster and
// its question in the members list (Shift steps back).
//
// Built for 700k rows: points live in a handful of QCPGraphs (one per
// colour, adaptive sampling), never one object per point, and the nearest
// point is found through a uniform grid rather than a scan. Find searches
// the run's folded questions (PipelineOutcome::questionIndex) and waits for
// a pause in typing before it searches, so a keystroke never waits on a
// 700k-row scan.
#include <QVector>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

#include "pipeline_worker.h"

class QCPAbstractPlottable;
class QCPBars;
class QCPGraph;
class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QLineEdit;
class QListWidget;
class QListWidgetItem;
class QMouseEvent;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTimer;

namespace distill::ui {

class ClusterTableModel;

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

    // The rows whose question contains the Find text, in row order, as of
    // the last search (which waits for a pause in typing); outliers are left
    // out while they are hidden.
    const std::vector<std::size_t>& matches() const { return matches_; }
    // The row of the match last stepped to; -1 before the first step.
    long long currentMatch() const;
    // Step to the next (previous) match, wrapping around; the search runs
    // first if typing has not paused yet.
    void findNext();
    void findPrevious();
    // Puts the keyboard in the Find box, its text selected (Ctrl+F).
    void focusFind();
    // Whether the outliers are hidden (the "Hide outliers" box).
    bool outliersHidden() const;
    // The map as shown (zoom, colours, selection, rings), as a PNG at twice
    // the screen's resolution, written atomically. Throws distill::Error
    // naming the file when it cannot be written.
    void saveImage(const QString& path) const;
    // What the points' colours stand for (the "Colour by" box), remembered
    // across sessions as Hide outliers is. Sources needs an outcome that
    // says each row's source; one that does not is coloured by cluster, and
    // the next that does by source again.
    enum class Colouring { Clusters, Sources };
    void colourBy(Colouring colouring);
    Colouring colouring() const { return colouring_; }

signals:
    void clusterSelected(int cluster);
    // A sampled member was double-clicked (or activated with Enter): the
    // curator wants its few-shots.
    void sampledQuestionOpened(const std::string& question);
    // A search has run (or the Find text was cleared): matches() is new.
    void matchesChanged();
    // Save Image… was pressed: the window asks where (UserPrompts) and
    // calls saveImage.
    void saveImageAsked();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    class PointGrid;

    void buildScatter();
    // The graphs that draw the points (not the selection and the rings over
    // them), coloured as colouring_ says; the zoom is kept.
    void buildPointGraphs();
    // Their colours (the others faded while a cluster is selected, when
    // colouring by cluster) and whether the outliers' are shown.
    void applyPointStyles();
    // "Sources: gsm8k 50, math_qa 33" for a cluster; empty when the run
    // did not say where its rows came from.
    QString sourcesOf(const ClusterSummary& cluster) const;
    // Finds and rings the rows matching the Find text; the caller replots.
    void search();
    void applySearch();
    void stepTo(std::size_t match);
    void buildSizeChart();
    // Draws the selection (none for -1) over the other points, and, when
    // asked, pans to it if it is out of view.
    void showSelection(int cluster, bool panToIt);
    // "<p><i>from gsm8k</i></p>" for a row's tooltip; empty when the run
    // did not say.
    QString sourceLine(std::size_t row) const;
    // Hides the unsampled members while "Sampled only" is checked.
    void filterMembers();
    // Pans the map, keeping the zoom, so that (x, y) is in view.
    void bringIntoView(double x, double y);
    void showHover(QMouseEvent* event);
    void showBarHover(QMouseEvent* event);
    // The cluster a bar of the size chart stands for; -1 for none.
    int clusterOfBar(const QCPAbstractPlottable* bars, int dataIndex) const;
    void ringMember(QListWidgetItem* item);
    void clickAt(QMouseEvent* event);
    // Every point shown in view, with a margin (after a run, Show All, and
    // on double-click).
    void fitView();
    // The table's selection follows selectCluster; a pick there selects.
    void showClusterInTable(int cluster);
    void selectClusterOfTableRow();

    std::shared_ptr<const PipelineOutcome> outcome_;
    std::vector<int> clusterOf_;  // per row; -1 for an outlier
    std::vector<int> colourOf_;   // per cluster: its index into the palette
    std::unique_ptr<PointGrid> grid_;
    int selected_ = -1;
    QPoint pressedAt_;
    std::vector<std::size_t> matches_;
    std::optional<std::size_t> current_;  // index into matches_
    QString matchSummary_;                // how many matched, and where

    QLineEdit* find_;
    QLabel* findStatus_;
    QTimer* searchDelay_;
    QPushButton* previousMatch_;
    QPushButton* nextMatch_;

    QCustomPlot* plot_;
    // The points, by colour: by cluster, the outliers then one per palette
    // colour; by source, each source's outliers then each source's others.
    struct PointGraph {
        QCPGraph* graph;
        QColor colour;
        bool outliers;
    };
    std::vector<PointGraph> pointGraphs_;
    Colouring colouring_ = Colouring::Clusters;  // as shown
    Colouring wantedColouring_ = Colouring::Clusters;  // as chosen
    bool sourcesKnown_ = false;  // whether the outcome says each row's source (a run's does)
    std::vector<QCPGraph*> legendSwatches_;  // by source: one empty graph per legend entry
    bool filteringClusters_ = false;  // the keyword filter is moving the table's rows
    QCPGraph* selectionGraph_ = nullptr;
    QCheckBox* sampledOnly_ = nullptr;
    QCPGraph* sampledGraph_ = nullptr;       // stars on the selected cluster's sampled members
    QCPGraph* matchGraph_ = nullptr;         // a ring on every match, above the clusters
    QCPGraph* currentMatchGraph_ = nullptr;  // a larger ring on the match stepped to
    QCPGraph* memberGraph_ = nullptr;        // a ring on the member chosen in the list
    QCustomPlot* sizes_;
    std::vector<QCPBars*> sizeBars_;             // one per palette colour
    std::vector<std::vector<int>> barClusters_;  // per bars: the cluster of each bar, ascending
    QLabel* title_;
    QLabel* keywords_;
    QListWidget* members_;
    QCheckBox* hideOutliers_;
    QPushButton* showAll_;
    QPushButton* saveImage_;
    QComboBox* colourBy_;
    ClusterTableModel* clusterModel_;
    QSortFilterProxyModel* clusterOrder_;  // sorted and filtered by keyword
    QLineEdit* clusterFilter_;
    QTableView* clusterTable_;
};

}  // namespace distill::ui
