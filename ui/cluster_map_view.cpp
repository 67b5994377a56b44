#include "cluster_map_view.h"
#include "cluster_table_model.h"
#include "distill/atomic_file.h"
#include "distill/error.h"
#include "qt_strings.h"
#include "question_index.h"

#include <QBuffer>
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QMouseEvent>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolTip>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <cmath>
#include <limits>

namespace distill::ui {
namespace {

// How close, in pixels, the pointer must be to a point to pick it.
constexpr double kPickRadius = 8;

// The view's choices remembered in the application's QSettings.
constexpr auto kColourByKey = "clusterMap/colourBy", kHideOutliersKey = "clusterMap/hideOutliers";

// Twenty category colours, dark enough to read on white and none grey (the
// outliers' colour). assignColours spreads them so that clusters drawn near
// each other differ.
const QList<QColor>& clusterColours() {
    static const QList<QColor> colours = {
        QColor(31, 119, 180), QColor(255, 127, 14), QColor(44, 160, 44),   QColor(214, 39, 40),
        QColor(148, 103, 189), QColor(140, 86, 75), QColor(227, 119, 194), QColor(188, 189, 34),
        QColor(23, 190, 207),  QColor(57, 59, 121), QColor(173, 73, 74),   QColor(99, 121, 57),
        QColor(140, 109, 49),  QColor(123, 65, 115), QColor(82, 84, 163),  QColor(231, 186, 82),
        QColor(0, 128, 128),   QColor(128, 0, 0),   QColor(206, 109, 189), QColor(107, 110, 207)};
    return colours;
}

// Source k's colour: the palette's for the first twenty, then hues a golden
// angle apart, so that a project pooling more datasets still tells each
// from the others (and from the outliers' grey).
QColor sourceColour(std::size_t k) {
    const auto palette = std::size_t(clusterColours().size());
    if (k < palette) return clusterColours()[int(k)];
    const double hue = std::fmod(double(k - palette) * 0.618033988749895 + 0.05, 1.0);
    return QColor::fromHsvF(float(hue), 0.75f, k % 2 ? 0.65f : 0.85f);
}

// Greedy colouring by where clusters are drawn: each cluster, largest
// first, takes the colour whose nearest cluster already holding it is
// farthest away. Past the first kColouredByPlace clusters (a 700k corpus
// has thousands) they cycle, which costs nothing.
constexpr std::size_t kColouredByPlace = 2000;

std::vector<int> assignColours(const ClusterMap& map) {
    const std::size_t count = map.clusters.size(), palette = std::size_t(clusterColours().size());
    std::vector<int> colour(count);
    std::vector<std::vector<QPointF>> placed(palette);  // centroids already holding each colour
    for (std::size_t c = 0; c < count; ++c) {
        if (c >= kColouredByPlace) {
            colour[c] = int(c % palette);
            continue;
        }
        QPointF centre;
        for (RowId row : map.clusters[c].members)
            centre += QPointF(map.projection.points.row(row)[0], map.projection.points.row(row)[1]);
        if (!map.clusters[c].members.empty()) centre /= double(map.clusters[c].members.size());
        std::size_t best = 0;
        double bestDistance = -1;
        for (std::size_t k = 0; k < palette; ++k) {
            double nearest = std::numeric_limits<double>::infinity();
            for (const QPointF& other : placed[k]) {
                const QPointF d = other - centre;
                nearest = std::min(nearest, d.x() * d.x() + d.y() * d.y());
            }
            if (nearest > bestDistance) bestDistance = nearest, best = k;
        }
        colour[c] = int(best);
        placed[best].push_back(centre);
    }
    return colour;
}

// Discs up to this many rows, single pixels beyond: measured offscreen at
// 700k rows, a replot takes 1.2 s with 3-pixel discs and 0.12 s with dots.
constexpr std::size_t kMaxRowsAsDiscs = 50000;

QCPGraph* scatterGraph(QCustomPlot* plot, const QColor& colour, double size, bool dots) {
    QCPGraph* graph = plot->addGraph();
    graph->setLineStyle(QCPGraph::lsNone);
    graph->setScatterStyle(
        QCPScatterStyle(dots ? QCPScatterStyle::ssDot : QCPScatterStyle::ssDisc, colour, colour, size));
    graph->setAdaptiveSampling(true);
    return graph;
}

// A question short enough for one or two lines of the Find status.
QString elided(const QString& question) {
    constexpr qsizetype kLongest = 160;
    return question.size() <= kLongest ? question : question.left(kLongest - 1) + QChar(0x2026);
}

// Find's marks: hollow rings, so the cluster colour of the point underneath
// still shows, in a strong magenta drawn on top of every cluster colour.
QCPGraph* ringGraph(QCustomPlot* plot, const QString& name, double size, double penWidth) {
    QCPGraph* graph = plot->addGraph();
    graph->setName(name);
    graph->setLineStyle(QCPGraph::lsNone);
    graph->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(204, 0, 153), penWidth), Qt::NoBrush, size));
    graph->setAdaptiveSampling(true);
    return graph;
}

// Long enough to cover the gap between keystrokes of someone typing, short
// enough that the map answers as soon as they stop.
constexpr int kSearchDelayMs = 150;

QString count(std::size_t n) { return QLocale().toString(qulonglong(n)); }

}  // namespace

// Rows bucketed by position on a square grid over the points' bounds, in
// compressed form (one offset per cell), so the points near the pointer are
// a few cells' worth instead of all of them.
class ClusterMapView::PointGrid {
public:
    explicit PointGrid(const Matrix& points) : points_(points) {
        const std::size_t n = points.rows;
        if (n == 0) return;
        minX_ = maxX_ = points.row(0)[0];
        minY_ = maxY_ = points.row(0)[1];
        for (std::size_t i = 1; i < n; ++i) {
            minX_ = std::min<double>(minX_, points.row(i)[0]), maxX_ = std::max<double>(maxX_, points.row(i)[0]);
            minY_ = std::min<double>(minY_, points.row(i)[1]), maxY_ = std::max<double>(maxY_, points.row(i)[1]);
        }
        // About 8 points per cell on average, at most 1024 cells a side.
        side_ = std::clamp<std::size_t>(std::size_t(std::sqrt(double(n) / 8)), 1, 1024);
        offsets_.assign(side_ * side_ + 1, 0);
        for (std::size_t i = 0; i < n; ++i) ++offsets_[cell(points.row(i)[0], points.row(i)[1]) + 1];
        for (std::size_t c = 1; c < offsets_.size(); ++c) offsets_[c] += offsets_[c - 1];
        rows_.resize(n);
        std::vector<std::uint32_t> fill(offsets_.begin(), offsets_.end() - 1);
        for (std::size_t i = 0; i < n; ++i) rows_[fill[cell(points.row(i)[0], points.row(i)[1])]++] = std::uint32_t(i);
    }

    // Calls visit(row) for every row in the cells overlapping the rectangle.
    template <class Visit>
    void forEachNear(double x0, double x1, double y0, double y1, Visit visit) const {
        if (rows_.empty()) return;
        const std::size_t cx0 = column(std::min(x0, x1)), cx1 = column(std::max(x0, x1));
        const std::size_t cy0 = rowOf(std::min(y0, y1)), cy1 = rowOf(std::max(y0, y1));
        for (std::size_t cy = cy0; cy <= cy1; ++cy)
            for (std::size_t cx = cx0; cx <= cx1; ++cx)
                for (std::uint32_t k = offsets_[cy * side_ + cx]; k < offsets_[cy * side_ + cx + 1]; ++k)
                    visit(rows_[k]);
    }

private:
    std::size_t scaled(double v, double lo, double hi) const {
        if (!(hi > lo)) return 0;
        const double t = (v - lo) / (hi - lo) * double(side_);
        return std::size_t(std::clamp(t, 0.0, double(side_ - 1)));
    }
    std::size_t column(double x) const { return scaled(x, minX_, maxX_); }
    std::size_t rowOf(double y) const { return scaled(y, minY_, maxY_); }
    std::size_t cell(double x, double y) const { return rowOf(y) * side_ + column(x); }

    const Matrix& points_;
    double minX_ = 0, maxX_ = 0, minY_ = 0, maxY_ = 0;
    std::size_t side_ = 1;
    std::vector<std::uint32_t> offsets_;
    std::vector<std::uint32_t> rows_;
};

ClusterMapView::ClusterMapView(QWidget* parent)
    : QWidget(parent),
      find_(new QLineEdit),
      findStatus_(new QLabel),
      searchDelay_(new QTimer(this)),
      previousMatch_(new QPushButton(tr("Previous"))),
      nextMatch_(new QPushButton(tr("Next"))),
      plot_(new QCustomPlot),
      sizes_(new QCustomPlot),
      title_(new QLabel),
      keywords_(new QLabel),
      members_(new QListWidget),
      hideOutliers_(new QCheckBox(tr("Hide &outliers"))),
      showAll_(new QPushButton(tr("Show &All"))),
      saveImage_(new QPushButton(tr("Save &Image…"))),
      colourBy_(new QComboBox),
      clusterModel_(new ClusterTableModel(this)),
      clusterOrder_(new QSortFilterProxyModel(this)),
      clusterFilter_(new QLineEdit),
      clusterTable_(new QTableView) {
    plot_->setObjectName("clusterMap");
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->setMouseTracking(true);
    plot_->setMinimumSize(360, 280);
    plot_->xAxis->setLabel(tr("PC 1"));
    plot_->yAxis->setLabel(tr("PC 2"));
    // Repainting 700k points over again for each pixel moved costs more than
    // the points' antialiasing is worth.
    plot_->setNotAntialiasedElements(QCP::aePlottables);
    // The selection and the rings over the points (see buildScatter).
    plot_->addLayer(QStringLiteral("selection"), plot_->layer(QStringLiteral("main")), QCustomPlot::limAbove);
    // Only the sources are in the legend, when colouring by them.
    plot_->setAutoAddPlottableToLegend(false);
    plot_->legend->setFont(font());
    plot_->legend->setBrush(QColor(255, 255, 255, 220));
    plot_->legend->setIconSize(12, 12);
    connect(plot_, &QCustomPlot::mouseMove, this, &ClusterMapView::showHover);
    connect(plot_, &QCustomPlot::mousePress, this, [this](QMouseEvent* event) { pressedAt_ = event->pos(); });
    connect(plot_, &QCustomPlot::mouseRelease, this, &ClusterMapView::clickAt);
    connect(plot_, &QCustomPlot::mouseDoubleClick, this, [this] {
        fitView();
        plot_->replot();
    });

    sizes_->setObjectName("clusterSizes");
    sizes_->setMinimumHeight(120);
    sizes_->setMaximumHeight(180);
    sizes_->xAxis->setLabel(tr("cluster"));
    sizes_->yAxis->setLabel(tr("questions"));
    connect(sizes_, &QCustomPlot::plottableClick, this,
            [this](QCPAbstractPlottable* bars, int dataIndex, QMouseEvent*) {
                selectCluster(clusterOfBar(bars, dataIndex));
            });
    sizes_->setMouseTracking(true);
    connect(sizes_, &QCustomPlot::mouseMove, this, &ClusterMapView::showBarHover);

    title_->setObjectName("clusterTitle");
    title_->setWordWrap(true);
    keywords_->setObjectName("clusterKeywords");
    keywords_->setWordWrap(true);
    keywords_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    members_->setObjectName("clusterMembers");
    members_->setUniformItemSizes(true);
    members_->setWordWrap(false);
    connect(members_, &QListWidget::currentItemChanged, this, &ClusterMapView::ringMember);
    connect(members_, &QListWidget::itemActivated, this, [this](QListWidgetItem* item) {
        if (item && item->data(Qt::UserRole + 1).toBool())
            emit sampledQuestionOpened(outcome_->question(std::size_t(item->data(Qt::UserRole).toULongLong())));
    });

    find_->setObjectName("mapFind");
    find_->setPlaceholderText(tr("Find questions containing…"));
    find_->setClearButtonEnabled(true);
    find_->setToolTip(tr("Any part of a question, in any case. Enter or F3 goes to the next match, "
                         "Shift+Enter or Shift+F3 to the previous one."));
    find_->installEventFilter(this);
    searchDelay_->setSingleShot(true);
    searchDelay_->setInterval(kSearchDelayMs);
    connect(find_, &QLineEdit::textChanged, searchDelay_, qOverload<>(&QTimer::start));
    connect(searchDelay_, &QTimer::timeout, this, &ClusterMapView::applySearch);
    previousMatch_->setObjectName("mapFindPrevious");
    previousMatch_->setToolTip(tr("The previous match (Shift+Enter, Shift+F3)"));
    connect(previousMatch_, &QPushButton::clicked, this, &ClusterMapView::findPrevious);
    nextMatch_->setObjectName("mapFindNext");
    nextMatch_->setToolTip(tr("The next match (Enter, F3)"));
    connect(nextMatch_, &QPushButton::clicked, this, &ClusterMapView::findNext);
    // F3 and Shift+F3 where the platform says so, anywhere in the map's tab.
    constexpr auto inTab = Qt::WidgetWithChildrenShortcut;
    new QShortcut(QKeySequence::FindNext, this, this, &ClusterMapView::findNext, inTab);
    new QShortcut(QKeySequence::FindPrevious, this, this, &ClusterMapView::findPrevious, inTab);
    findStatus_->setObjectName("mapFindStatus");
    findStatus_->setWordWrap(true);
    hideOutliers_->setObjectName("hideOutliers");
    hideOutliers_->setToolTip(tr("Points in no cluster, grey: with a large corpus they can be most of the map"));
    hideOutliers_->setChecked(QSettings().value(kHideOutliersKey, false).toBool());
    connect(hideOutliers_, &QCheckBox::toggled, this, [this](bool hidden) {
        QSettings().setValue(kHideOutliersKey, hidden);
        applyPointStyles();
        QToolTip::hideText();  // it may name a point no longer drawn
        if (!find_->text().isEmpty()) search();  // outliers leave or join the matches
        plot_->replot();
    });
    colourBy_->setObjectName("mapColourBy");
    colourBy_->addItem(tr("Clusters"));
    colourBy_->addItem(tr("Sources"));
    colourBy_->setToolTip(tr("Sources: each point in the colour of the dataset its question came from"));
    if (QSettings().value(kColourByKey).toString() == QLatin1String("sources")) wantedColouring_ = Colouring::Sources;
    connect(colourBy_, &QComboBox::currentIndexChanged, this,
            [this](int index) { colourBy(index == 1 ? Colouring::Sources : Colouring::Clusters); });
    auto* colourByLabel = new QLabel(tr("Colour &by:"));
    colourByLabel->setBuddy(colourBy_);
    showAll_->setObjectName("mapShowAll");
    showAll_->setToolTip(tr("Every point shown in view (or double-click the map)"));
    connect(showAll_, &QPushButton::clicked, this, [this] {
        fitView();
        plot_->replot();
    });
    saveImage_->setObjectName("mapSaveImage");
    saveImage_->setToolTip(tr("The map as shown, as a PNG image"));
    connect(saveImage_, &QPushButton::clicked, this, &ClusterMapView::saveImageAsked);
    auto* findBar = new QHBoxLayout;
    findBar->addWidget(new QLabel(tr("Find:")));
    findBar->addWidget(find_, 1);
    findBar->addWidget(previousMatch_);
    findBar->addWidget(nextMatch_);
    auto* viewBar = new QHBoxLayout;
    viewBar->addWidget(colourByLabel);
    viewBar->addWidget(colourBy_);
    viewBar->addSpacing(12);
    viewBar->addWidget(hideOutliers_);
    viewBar->addStretch(1);
    viewBar->addWidget(showAll_);
    viewBar->addWidget(saveImage_);

    clusterModel_->setObjectName("clusterTableModel");
    clusterOrder_->setSourceModel(clusterModel_);
    clusterOrder_->setSortRole(ClusterTableModel::SortRole);
    clusterOrder_->setFilterKeyColumn(ClusterTableModel::KeywordsColumn);
    clusterOrder_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    clusterTable_->setObjectName("clusterTable");
    clusterTable_->setModel(clusterOrder_);
    clusterTable_->setSortingEnabled(true);
    clusterTable_->sortByColumn(ClusterTableModel::NumberColumn, Qt::AscendingOrder);
    clusterTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    clusterTable_->setSelectionMode(QAbstractItemView::SingleSelection);
    clusterTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    clusterTable_->setWordWrap(false);
    clusterTable_->verticalHeader()->hide();
    // Uniform rows, one line each: thousands stay quick, and more show.
    clusterTable_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    clusterTable_->verticalHeader()->setDefaultSectionSize(clusterTable_->fontMetrics().height() + 6);
    clusterTable_->horizontalHeader()->setStretchLastSection(true);
    clusterTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    clusterTable_->setMinimumHeight(90);
    connect(clusterTable_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &ClusterMapView::selectClusterOfTableRow);
    clusterFilter_->setObjectName("clusterFilter");
    clusterFilter_->setPlaceholderText(tr("Clusters whose keywords contain…"));
    clusterFilter_->setClearButtonEnabled(true);
    connect(clusterFilter_, &QLineEdit::textChanged, this, [this](const QString& text) {
        // Rows leaving the table move its current row, which is not a pick.
        filteringClusters_ = true;
        clusterOrder_->setFilterFixedString(text);
        filteringClusters_ = false;
        showClusterInTable(selected_);
    });
    auto* clusters = new QWidget;
    auto* clustersLayout = new QVBoxLayout(clusters);
    clustersLayout->setContentsMargins(0, 0, 0, 0);
    auto* filterLabel = new QLabel(tr("&Keywords:"));
    filterLabel->setBuddy(clusterFilter_);
    auto* filterBar = new QHBoxLayout;
    filterBar->addWidget(filterLabel);
    filterBar->addWidget(clusterFilter_, 1);
    clustersLayout->addLayout(filterBar);
    clustersLayout->addWidget(clusterTable_, 1);

    auto* side = new QWidget;
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(title_);
    sideLayout->addWidget(keywords_);
    auto* membersLabel = new QLabel(tr("Members (★ sampled; click one to ring it, double-click a ★ for its "
                                       "few-shots):"));
    membersLabel->setWordWrap(true);
    sideLayout->addWidget(membersLabel);
    // A cluster of hundreds with a handful sampled: those are what a curator
    // checks first.
    sampledOnly_ = new QCheckBox(tr("&Sampled only"));
    sampledOnly_->setObjectName("sampledOnly");
    connect(sampledOnly_, &QCheckBox::toggled, this, &ClusterMapView::filterMembers);
    sideLayout->addWidget(sampledOnly_);
    sideLayout->addWidget(members_, 1);

    auto* plots = new QWidget;
    auto* plotsLayout = new QVBoxLayout(plots);
    plotsLayout->setContentsMargins(0, 0, 0, 0);
    plotsLayout->addLayout(findBar);
    plotsLayout->addWidget(findStatus_);
    plotsLayout->addLayout(viewBar);
    plotsLayout->addWidget(plot_, 1);
    plotsLayout->addWidget(sizes_);

    auto* sidePanes = new QSplitter(Qt::Vertical);
    sidePanes->addWidget(clusters);
    sidePanes->addWidget(side);
    sidePanes->setStretchFactor(1, 1);
    sidePanes->setChildrenCollapsible(false);
    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(plots);
    splitter->addWidget(sidePanes);
    splitter->setStretchFactor(0, 1);
    splitter->setSizes({620, 340});
    splitter->setChildrenCollapsible(false);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    setOutcome(nullptr);
}

ClusterMapView::~ClusterMapView() = default;

void ClusterMapView::setOutcome(std::shared_ptr<const PipelineOutcome> outcome) {
    clusterModel_->setMap(nullptr);  // before the map it lists may go with the old outcome
    outcome_ = std::move(outcome);
    selected_ = -1;
    clusterOf_.clear();
    colourOf_.clear();
    grid_.reset();
    if (outcome_) {
        const ClusterMap& map = outcome_->map;
        clusterOf_.assign(map.projection.points.rows, -1);
        for (std::size_t c = 0; c < map.clusters.size(); ++c)
            for (RowId row : map.clusters[c].members) clusterOf_[row] = int(c);
        colourOf_ = assignColours(map);
        grid_ = std::make_unique<PointGrid>(map.projection.points);
    }
    clusterModel_->setMap(outcome_ ? &outcome_->map : nullptr);
    // A hand-made outcome may not say where rows came from (the tests' 700k
    // map); then only clusters colour it.
    sourcesKnown_ = outcome_ && outcome_->sourceOf.size() == clusterOf_.size() && !clusterOf_.empty() &&
                    *std::max_element(outcome_->sourceOf.begin(), outcome_->sourceOf.end()) <
                        outcome_->corpusReport.sources.size();
    colourBy_->setEnabled(sourcesKnown_);
    saveImage_->setEnabled(outcome_ != nullptr);
    colouring_ = sourcesKnown_ ? wantedColouring_ : Colouring::Clusters;
    {
        const QSignalBlocker quiet(colourBy_);
        colourBy_->setCurrentIndex(colouring_ == Colouring::Sources ? 1 : 0);
    }
    for (int column : {ClusterTableModel::NumberColumn, ClusterTableModel::SizeColumn, ClusterTableModel::SampledColumn})
        clusterTable_->resizeColumnToContents(column);
    buildScatter();
    buildSizeChart();
    search();  // the Find text still typed, over the new rows
    selectCluster(-1);
}

void ClusterMapView::buildScatter() {
    plot_->clearGraphs();
    pointGraphs_.clear();
    legendSwatches_.clear();
    // Over the points, on a layer of their own, so that the points can be
    // drawn again in other colours beneath them: the selected cluster (its
    // points outlined, its sampled ones starred as in the member list;
    // styled by showSelection) and the rings.
    const auto overlay = [this](QCPGraph* graph) {
        graph->setLayer(QStringLiteral("selection"));
        return graph;
    };
    selectionGraph_ = overlay(scatterGraph(plot_, Qt::black, 6, /*dots=*/false));
    sampledGraph_ = overlay(plot_->addGraph());
    sampledGraph_->setName(QStringLiteral("Sampled members"));
    sampledGraph_->setLineStyle(QCPGraph::lsNone);
    sampledGraph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssStar, QPen(QColor(20, 20, 20), 1.0), Qt::NoBrush, 8));
    // A 1-pixel pen for the matches: a wider one takes Qt's slower stroking
    // path, measured offscreen at 700k rows as a 540 ms replot with 80k
    // rings against 230 ms.
    matchGraph_ = overlay(ringGraph(plot_, QStringLiteral("Find matches"), 9, 1));
    currentMatchGraph_ = overlay(ringGraph(plot_, QStringLiteral("Find current match"), 18, 2.5));
    memberGraph_ = overlay(ringGraph(plot_, QStringLiteral("Member"), 18, 2.5));

    plot_->clearItems();
    if (!outcome_) {
        // No run yet (or another project's): say what to do, in the plot
        // itself, over axes that no longer name a run's variances.
        plot_->xAxis->setLabel(tr("PC 1"));
        plot_->yAxis->setLabel(tr("PC 2"));
        plot_->xAxis->setRange(0, 1);
        plot_->yAxis->setRange(0, 1);
        auto* hint = new QCPItemText(plot_);
        hint->setObjectName("mapHint");
        hint->position->setType(QCPItemPosition::ptAxisRectRatio);
        hint->position->setCoords(0.5, 0.5);
        hint->setText(tr("No run yet: press Run (Ctrl+R) to see the cluster map"));
        hint->setColor(QColor(110, 110, 110));
    } else {
        const auto& ratios = outcome_->map.projection.explained_variance_ratio;
        const double ratio0 = ratios.size() == 2 ? ratios[0] * 100 : 0, ratio1 = ratios.size() == 2 ? ratios[1] * 100 : 0;
        plot_->xAxis->setLabel(tr("PC 1 (%1% of the variance)").arg(ratio0, 0, 'f', 1));
        plot_->yAxis->setLabel(tr("PC 2 (%1% of the variance)").arg(ratio1, 0, 'f', 1));
    }
    buildPointGraphs();
    fitView();
    // No replot: setOutcome's selectCluster makes the one a new map needs.
}

void ClusterMapView::buildPointGraphs() {
    for (const PointGraph& g : pointGraphs_) plot_->removeGraph(g.graph);
    for (QCPGraph* swatch : legendSwatches_) plot_->removeGraph(swatch);
    pointGraphs_.clear();
    legendSwatches_.clear();
    plot_->legend->clearItems();
    const bool bySource = colouring_ == Colouring::Sources;
    plot_->legend->setVisible(bySource);
    if (!outcome_) return;
    const Matrix& points = outcome_->map.projection.points;
    const bool dots = points.rows > kMaxRowsAsDiscs;
    const auto add = [&](const QColor& colour, bool outliers, const QString& name) {
        QCPGraph* graph = scatterGraph(plot_, colour, 3, dots);
        graph->setLayer(QStringLiteral("main"));
        graph->setName(name);
        pointGraphs_.push_back({graph, colour, outliers});
    };
    // Which graph each row goes to.
    std::function<std::size_t(std::size_t)> graphOf;
    const std::size_t sources = outcome_->corpusReport.sources.size();
    std::vector<std::size_t> perSource(sources);
    if (bySource) {
        // Each source's outliers underneath, lighter, then its clustered rows.
        for (std::size_t k = 0; k < sources; ++k) {
            QColor light = sourceColour(k);
            light.setAlpha(90);
            add(light, true, qs(outcome_->corpusReport.sources[k].name) + tr(" (outliers)"));
        }
        for (std::size_t k = 0; k < sources; ++k) add(sourceColour(k), false, qs(outcome_->corpusReport.sources[k].name));
        graphOf = [&](std::size_t row) {
            const std::size_t source = outcome_->sourceOf[row];
            ++perSource[source];
            return (clusterOf_[row] < 0 ? 0 : sources) + source;
        };
    } else {
        add(QColor(205, 205, 205), true, tr("Outliers"));  // drawn underneath
        for (const QColor& colour : clusterColours()) add(colour, false, {});
        graphOf = [&](std::size_t row) {
            const int c = clusterOf_[row];
            return c < 0 ? 0 : 1 + std::size_t(colourOf_[std::size_t(c)]);
        };
    }
    std::vector<QVector<double>> xs(pointGraphs_.size()), ys(pointGraphs_.size());
    for (std::size_t row = 0; row < points.rows; ++row) {
        const std::size_t graph = graphOf(row);
        xs[graph].push_back(points.row(row)[0]);
        ys[graph].push_back(points.row(row)[1]);
    }
    // QCPGraph binary-searches its keys: unsorted data draws only a few
    // points (ARCHITECTURE.md rule 6), so let it sort.
    for (std::size_t g = 0; g < pointGraphs_.size(); ++g)
        pointGraphs_[g].graph->setData(xs[g], ys[g], /*alreadySorted=*/false);
    if (bySource) {
        // The legend names each source with all its rows, outliers too.
        for (std::size_t k = 0; k < sources; ++k) {
            QCPGraph* graph = pointGraphs_[sources + k].graph;
            graph->setName(tr("%1 (%2)").arg(qs(outcome_->corpusReport.sources[k].name), count(perSource[k])));
            // Its swatch: a graph of no points, as a disc (the points may
            // be single pixels, which a legend would show as nothing).
            QCPGraph* swatch = scatterGraph(plot_, sourceColour(k), 8, /*dots=*/false);
            swatch->setName(graph->name());
            swatch->addToLegend();
            legendSwatches_.push_back(swatch);
        }
    }
    applyPointStyles();
}

void ClusterMapView::applyPointStyles() {
    // While a cluster is selected, colouring by cluster, the others fade so
    // that it stands out in any colour; coloured by source, the selection's
    // rings mark it and every source keeps its colour.
    const bool fade = selected_ >= 0 && colouring_ == Colouring::Clusters;
    for (const PointGraph& g : pointGraphs_) {
        QColor colour = g.colour;
        if (fade) colour.setAlpha(std::min(colour.alpha(), 60));
        QCPScatterStyle style = g.graph->scatterStyle();
        style.setPen(QPen(colour));
        style.setBrush(colour);
        g.graph->setScatterStyle(style);
        g.graph->setVisible(!(g.outliers && hideOutliers_->isChecked()));
    }
}

void ClusterMapView::colourBy(Colouring colouring) {
    wantedColouring_ = colouring;
    QSettings().setValue(kColourByKey, colouring == Colouring::Sources ? "sources" : "clusters");
    colouring_ = sourcesKnown_ ? colouring : Colouring::Clusters;
    {
        const QSignalBlocker quiet(colourBy_);
        colourBy_->setCurrentIndex(colouring_ == Colouring::Sources ? 1 : 0);
    }
    buildPointGraphs();
    showSelection(selected_, /*panToIt=*/false);
    plot_->replot();
}

QString ClusterMapView::sourcesOf(const ClusterSummary& cluster) const {
    const auto& sources = outcome_->corpusReport.sources;
    if (!sourcesKnown_ || sources.size() < 2) return {};
    std::vector<std::size_t> rows(sources.size());
    for (RowId row : cluster.members) ++rows[outcome_->sourceOf[row]];
    std::vector<std::size_t> order(sources.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rows[a] > rows[b]; });
    QStringList parts;
    for (std::size_t k : order)
        if (rows[k] > 0) parts << QStringLiteral("%1 %2").arg(qs(sources[k].name), count(rows[k]));
    return parts.join(QStringLiteral(", "));
}

void ClusterMapView::fitView() {
    if (!outcome_) return;
    bool found = false;
    QCPRange x, y;
    for (const PointGraph& point : pointGraphs_) {
        QCPGraph* graph = point.graph;
        if (!graph->visible()) continue;
        bool inGraph = false;
        const QCPRange gx = graph->getKeyRange(inGraph);
        if (!inGraph) continue;
        const QCPRange gy = graph->getValueRange(inGraph);
        if (found) {
            x.expand(gx);
            y.expand(gy);
        } else {
            x = gx;
            y = gy;
            found = true;
        }
    }
    if (!found) return;
    plot_->xAxis->setRange(x);
    plot_->yAxis->setRange(y);
    // A margin, so points on the edge are not cut in half by the axes.
    plot_->xAxis->scaleRange(1.06);
    plot_->yAxis->scaleRange(1.06);
}

// One bar plottable per palette colour (QCPBars has one brush), so each
// bar is drawn in its cluster's colour; barClusters_ maps their data back.
void ClusterMapView::buildSizeChart() {
    sizes_->clearPlottables();
    sizeBars_.clear();
    barClusters_.clear();
    if (outcome_) {
        const auto& clusters = outcome_->map.clusters;
        const auto palette = std::size_t(clusterColours().size());
        std::vector<QVector<double>> keys(palette), values(palette);
        barClusters_.resize(palette);
        for (std::size_t c = 0; c < clusters.size(); ++c) {
            const auto colour = std::size_t(colourOf_[c]);
            keys[colour].push_back(double(c + 1));  // numbered as the side panel names them
            values[colour].push_back(double(clusters[c].size));
            barClusters_[colour].push_back(int(c));
        }
        for (std::size_t k = 0; k < palette; ++k) {
            auto* bars = new QCPBars(sizes_->xAxis, sizes_->yAxis);
            bars->setPen(Qt::NoPen);
            bars->setBrush(clusterColours()[int(k)]);
            bars->setWidth(0.8);
            bars->setSelectable(QCP::stSingleData);
            bars->setData(keys[k], values[k], /*alreadySorted=*/true);
            sizeBars_.push_back(bars);
        }
        sizes_->rescaleAxes();
        sizes_->xAxis->setRange(0, std::max<double>(double(clusters.size()), 1) + 1);
        sizes_->yAxis->setRangeLower(0);
    }
    sizes_->setInteractions(QCP::iSelectPlottables);
    sizes_->replot();
}

std::size_t ClusterMapView::pointCount() const {
    std::size_t n = 0;
    for (const PointGraph& g : pointGraphs_) n += std::size_t(g.graph->dataCount());
    return n;
}

void ClusterMapView::selectCluster(int cluster) {
    if (!outcome_ || cluster < 0 || cluster >= int(outcome_->map.clusters.size())) cluster = -1;
    selected_ = cluster;
    const QSignalBlocker quiet(members_);  // refilling rings no member; the replot below is the one needed
    members_->clear();
    if (cluster < 0) {
        title_->setText(outcome_ ? tr("%1 clusters, %2 outliers; click a point, a bar or a row of the table to look "
                                          "inside one; double-click the map to see it whole again.")
                                       .arg(outcome_->map.clusters.size())
                                       .arg(outcome_->map.outliers)
                                 : tr("Run the pipeline to see the cluster map."));
        keywords_->clear();
    } else {
        const ClusterSummary& summary = outcome_->map.clusters[std::size_t(cluster)];
        const QString sources = sourcesOf(summary);
        title_->setText(tr("<b>Cluster %1</b>: %2 questions, %3 sampled")
                            .arg(cluster + 1)
                            .arg(summary.size)
                            .arg(summary.sampled.size()) +
                        (sources.isEmpty() ? QString() : tr("<br>Sources: %1").arg(sources.toHtmlEscaped())));
        QStringList terms;
        for (const Keyword& keyword : summary.keywords) terms << qs(keyword.term);
        keywords_->setText(tr("Keywords: %1").arg(terms.isEmpty() ? tr("none") : terms.join(QStringLiteral(", "))));

        const Community& sampled = summary.sampled;  // a few rows: a scan is cheaper than a set
        const auto isSampled = [&](RowId row) { return std::find(sampled.begin(), sampled.end(), row) != sampled.end(); };
        QFont bold = members_->font();
        bold.setBold(true);
        for (RowId row : summary.members) {
            const bool picked = isSampled(row);
            auto* item = new QListWidgetItem((picked ? QStringLiteral("★ ") : QStringLiteral("    ")) +
                                             qs(outcome_->question(row)));
            item->setData(Qt::UserRole, qulonglong(row));
            item->setData(Qt::UserRole + 1, picked);
            // The whole question, which the list cuts off, and its source;
            // rich text, which tooltips wrap.
            item->setToolTip(QStringLiteral("<p>%1</p>").arg(qs(outcome_->question(row)).toHtmlEscaped()) +
                             sourceLine(row));
            if (picked) item->setFont(bold);
            members_->addItem(item);
        }
    }
    filterMembers();
    showClusterInTable(cluster);
    showSelection(cluster, /*panToIt=*/true);
    memberGraph_->data()->clear();
    plot_->replot();
    if (!sizeBars_.empty()) {
        for (QCPBars* bars : sizeBars_) bars->setSelection(QCPDataSelection());
        if (cluster >= 0) {
            const auto colour = std::size_t(colourOf_[std::size_t(cluster)]);
            const std::vector<int>& ids = barClusters_[colour];
            const int at = int(std::lower_bound(ids.begin(), ids.end(), cluster) - ids.begin());
            sizeBars_[colour]->setSelection(QCPDataSelection(QCPDataRange(at, at + 1)));
        }
        sizes_->replot();
    }
    emit clusterSelected(cluster);
}

void ClusterMapView::showSelection(int cluster, bool panToIt) {
    QVector<double> xs, ys, sampledXs, sampledYs;
    if (cluster >= 0) {
        const Matrix& points = outcome_->map.projection.points;
        const ClusterSummary& summary = outcome_->map.clusters[std::size_t(cluster)];
        for (RowId row : summary.members) {
            xs.push_back(points.row(row)[0]);
            ys.push_back(points.row(row)[1]);
        }
        for (RowId row : summary.sampled) {
            sampledXs.push_back(points.row(row)[0]);
            sampledYs.push_back(points.row(row)[1]);
        }
        // By cluster: its points redrawn in its colour, outlined, over the
        // faded others. By source: hollow rings, the source colours beneath.
        const QPen outline(QColor(40, 40, 40), colouring_ == Colouring::Clusters ? 0.6 : 1.0);
        const QBrush fill = colouring_ == Colouring::Clusters
                                ? QBrush(clusterColours()[colourOf_[std::size_t(cluster)]])
                                : QBrush(Qt::NoBrush);
        selectionGraph_->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, outline, fill, 6));
    }
    selectionGraph_->setData(xs, ys, /*alreadySorted=*/false);
    sampledGraph_->setData(sampledXs, sampledYs, /*alreadySorted=*/false);
    applyPointStyles();
    // Chosen from the size chart or by Find while zoomed, a cluster may lie
    // outside the view: pan to the member nearest its centre (the centre of
    // a curved cluster may be empty), keeping the zoom.
    if (panToIt && !xs.isEmpty()) {
        bool inView = false;
        for (qsizetype i = 0; i < xs.size() && !inView; ++i)
            inView = plot_->xAxis->range().contains(xs[i]) && plot_->yAxis->range().contains(ys[i]);
        if (!inView) {
            const double cx = std::accumulate(xs.begin(), xs.end(), 0.0) / double(xs.size());
            const double cy = std::accumulate(ys.begin(), ys.end(), 0.0) / double(ys.size());
            qsizetype nearest = 0;
            for (qsizetype i = 1; i < xs.size(); ++i)
                if (std::hypot(xs[i] - cx, ys[i] - cy) < std::hypot(xs[nearest] - cx, ys[nearest] - cy)) nearest = i;
            bringIntoView(xs[nearest], ys[nearest]);
        }
    }
}

QString ClusterMapView::sourceLine(std::size_t row) const {
    if (!sourcesKnown_) return {};
    return tr("<p><i>from %1</i></p>")
        .arg(qs(outcome_->corpusReport.sources[outcome_->sourceOf[row]].name).toHtmlEscaped());
}

void ClusterMapView::filterMembers() {
    const bool sampledOnly = sampledOnly_->isChecked();
    for (int i = 0; i < members_->count(); ++i)
        members_->item(i)->setHidden(sampledOnly && !members_->item(i)->data(Qt::UserRole + 1).toBool());
}

void ClusterMapView::showClusterInTable(int cluster) {
    // Not blocked: the view repaints the rows from these signals; the pick
    // they report is the cluster already selected, which
    // selectClusterOfTableRow leaves alone.
    const QModelIndex at =
        cluster < 0 ? QModelIndex() : clusterOrder_->mapFromSource(clusterModel_->index(cluster, 0));
    if (!at.isValid()) {
        clusterTable_->selectionModel()->clear();
        return;
    }
    clusterTable_->selectionModel()->setCurrentIndex(
        at, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    clusterTable_->scrollTo(at);
}

void ClusterMapView::selectClusterOfTableRow() {
    if (filteringClusters_) return;
    const QModelIndex at = clusterOrder_->mapToSource(clusterTable_->currentIndex());
    if (at.isValid() && at.row() != selected_) selectCluster(at.row());
}

void ClusterMapView::saveImage(const QString& path) const {
    // Twice the pixels of the screen's, so that it stays sharp on a slide.
    const QPixmap picture = plot_->toPixmap(plot_->width(), plot_->height(), 2.0);
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    if (!picture.save(&buffer, "PNG"))
        throw Error(path.toStdString() + ": the map could not be drawn as a PNG; try a smaller window");
    write_file_atomically(path.toStdString(), [&](std::ostream& out) { out.write(png.constData(), png.size()); });
}

bool ClusterMapView::outliersHidden() const { return hideOutliers_->isChecked(); }

void ClusterMapView::bringIntoView(double x, double y) {
    const QCPRange xRange = plot_->xAxis->range(), yRange = plot_->yAxis->range();
    if (xRange.contains(x) && yRange.contains(y)) return;
    plot_->xAxis->setRange(x, xRange.size(), Qt::AlignCenter);
    plot_->yAxis->setRange(y, yRange.size(), Qt::AlignCenter);
}

long long ClusterMapView::rowAt(QPointF pixel) const {
    if (!grid_) return -1;
    const Matrix& points = outcome_->map.projection.points;
    const double x0 = plot_->xAxis->pixelToCoord(pixel.x() - kPickRadius);
    const double x1 = plot_->xAxis->pixelToCoord(pixel.x() + kPickRadius);
    const double y0 = plot_->yAxis->pixelToCoord(pixel.y() - kPickRadius);
    const double y1 = plot_->yAxis->pixelToCoord(pixel.y() + kPickRadius);
    long long best = -1;
    double bestDistance = kPickRadius * kPickRadius;
    const bool outliersShown = !hideOutliers_->isChecked();
    grid_->forEachNear(x0, x1, y0, y1, [&](std::uint32_t row) {
        if (!outliersShown && clusterOf_[row] < 0) return;  // not drawn: neither hovered nor clicked
        const double dx = plot_->xAxis->coordToPixel(points.row(row)[0]) - pixel.x();
        const double dy = plot_->yAxis->coordToPixel(points.row(row)[1]) - pixel.y();
        if (const double d = dx * dx + dy * dy; d <= bestDistance) bestDistance = d, best = row;
    });
    return best;
}

QPointF ClusterMapView::pixelOf(std::size_t row) const {
    const Matrix& points = outcome_->map.projection.points;
    return {plot_->xAxis->coordToPixel(points.row(row)[0]), plot_->yAxis->coordToPixel(points.row(row)[1])};
}

void ClusterMapView::search() {
    searchDelay_->stop();
    matches_.clear();
    current_.reset();
    const QString text = find_->text();
    if (outcome_ && !text.isEmpty()) {
        matches_ = outcome_->questionIndex.rowsContaining(text);
        // Rows the map does not have are no matches (the worker checks both
        // hold the same rows; a hand-made outcome might not).
        std::erase_if(matches_, [&](std::size_t row) { return row >= clusterOf_.size(); });
    }
    // Hidden outliers are not on the map to ring or step to; the summary
    // counts them, so a curator knows to show them.
    const std::size_t hiddenHits =
        hideOutliers_->isChecked() ? std::erase_if(matches_, [&](std::size_t row) { return clusterOf_[row] < 0; }) : 0;

    QVector<double> xs, ys;
    xs.reserve(qsizetype(matches_.size()));
    ys.reserve(qsizetype(matches_.size()));
    std::vector<bool> clusterHit(outcome_ ? outcome_->map.clusters.size() : 0);
    std::size_t clustersHit = 0, outliersHit = 0;
    for (std::size_t row : matches_) {
        xs.push_back(outcome_->map.projection.points.row(row)[0]);
        ys.push_back(outcome_->map.projection.points.row(row)[1]);
        if (const int c = clusterOf_[row]; c < 0) ++outliersHit;
        else if (!clusterHit[std::size_t(c)]) clusterHit[std::size_t(c)] = true, ++clustersHit;
    }
    // Sorted by QCustomPlot, which draws only a few unsorted points (ARCHITECTURE.md rule 6).
    matchGraph_->setData(xs, ys, /*alreadySorted=*/false);
    currentMatchGraph_->data()->clear();

    if (!outcome_ || text.isEmpty()) {
        matchSummary_.clear();
    } else if (matches_.empty()) {
        matchSummary_ = hiddenHits == 0   ? tr("No question contains “%1”.").arg(text)
                        : hiddenHits == 1 ? tr("Only a hidden outlier contains “%1”.").arg(text)
                                          : tr("Only %1 hidden outliers contain “%2”.").arg(count(hiddenHits), text);
    } else {
        const std::size_t n = matches_.size();
        const QString clusters = clustersHit == 0   ? QString()
                                 : clustersHit == 1 ? tr(", in 1 cluster")
                                                    : tr(", in %1 clusters").arg(count(clustersHit));
        const QString outliers = outliersHit == 0   ? QString()
                                 : outliersHit == 1 ? tr(" (1 outlier)")
                                                    : tr(" (%1 outliers)").arg(count(outliersHit));
        const QString hidden = hiddenHits == 0   ? QString()
                               : hiddenHits == 1 ? tr("; 1 hidden outlier too")
                                                 : tr("; %1 hidden outliers too").arg(count(hiddenHits));
        matchSummary_ = (n == 1 ? tr("1 question matches") : tr("%1 questions match").arg(count(n))) + clusters +
                        (clustersHit == 0 ? (outliersHit == 1 ? tr(", an outlier") : tr(", all outliers")) : outliers) +
                        hidden;
    }
    findStatus_->setText(matchSummary_);
    findStatus_->setVisible(!matchSummary_.isEmpty());  // no empty band above the map
    previousMatch_->setEnabled(!matches_.empty());
    nextMatch_->setEnabled(!matches_.empty());
    emit matchesChanged();
}

void ClusterMapView::applySearch() {
    search();
    plot_->replot();
}

long long ClusterMapView::currentMatch() const { return current_ ? (long long)matches_[*current_] : -1; }

void ClusterMapView::focusFind() {
    find_->setFocus(Qt::ShortcutFocusReason);
    find_->selectAll();
}

void ClusterMapView::findNext() {
    if (searchDelay_->isActive()) search();  // Enter before typing paused: search what is typed (stepTo replots)
    if (!matches_.empty()) stepTo(current_ ? (*current_ + 1) % matches_.size() : 0);
}

void ClusterMapView::findPrevious() {
    if (searchDelay_->isActive()) search();
    if (!matches_.empty()) stepTo(current_ && *current_ > 0 ? *current_ - 1 : matches_.size() - 1);
}

void ClusterMapView::stepTo(std::size_t match) {
    current_ = match;
    const std::size_t row = matches_[match];
    const Matrix& points = outcome_->map.projection.points;
    currentMatchGraph_->setData({points.row(row)[0]}, {points.row(row)[1]}, /*alreadySorted=*/true);
    const int cluster = clusterOf_[row];
    // An outlier is in no member list, so its question is shown here.
    findStatus_->setText(tr("%1; showing match %2 of %3, %4.")
                             .arg(matchSummary_, count(match + 1), count(matches_.size()),
                                  cluster < 0 ? tr("an outlier: “%1”").arg(elided(qs(outcome_->question(row))))
                                              : tr("in cluster %1").arg(cluster + 1)));

    // Selecting a cluster lists its members again, which stepping from one
    // match to the next in the same cluster does not need.
    bringIntoView(points.row(row)[0], points.row(row)[1]);
    if (cluster != selected_) selectCluster(cluster);
    else plot_->replot();
    if (cluster < 0) return;  // an outlier: marked on the map, its question in the status
    const Community& members = outcome_->map.clusters[std::size_t(cluster)].members;
    const int item = int(std::find(members.begin(), members.end(), RowId(row)) - members.begin());
    if (members_->item(item)->isHidden()) sampledOnly_->setChecked(false);  // the match is listed
    members_->setCurrentRow(item);
    members_->scrollToItem(members_->item(item), QAbstractItemView::PositionAtCenter);
}

bool ClusterMapView::eventFilter(QObject* watched, QEvent* event) {
    if (watched == find_ && event->type() == QEvent::KeyPress) {
        const auto* key = static_cast<QKeyEvent*>(event);
        if (key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) {
            if (key->modifiers() & Qt::ShiftModifier) findPrevious();
            else findNext();
            return true;
        }
        if (key->key() == Qt::Key_Escape && !find_->text().isEmpty()) {
            find_->clear();  // and with it the rings
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void ClusterMapView::showHover(QMouseEvent* event) {
    if (event->buttons() != Qt::NoButton) return;  // panning
    const long long row = rowAt(event->position());
    if (row < 0) {
        QToolTip::hideText();
        return;
    }
    const int cluster = clusterOf_[std::size_t(row)];
    QString where = cluster < 0 ? tr("outlier") : tr("cluster %1").arg(cluster + 1);
    if (sourcesKnown_)
        where += tr(", from %1").arg(qs(outcome_->corpusReport.sources[outcome_->sourceOf[std::size_t(row)]].name));
    // Rich text, which tooltips wrap: a 2,000-character question stays readable.
    QToolTip::showText(event->globalPosition().toPoint(),
                       QStringLiteral("<p>%1</p><p><i>%2</i></p>")
                           .arg(qs(outcome_->question(std::size_t(row))).toHtmlEscaped(), where.toHtmlEscaped()),
                       plot_);
}

int ClusterMapView::clusterOfBar(const QCPAbstractPlottable* bars, int dataIndex) const {
    for (std::size_t k = 0; k < sizeBars_.size(); ++k)
        if (sizeBars_[k] == bars && dataIndex >= 0 && dataIndex < int(barClusters_[k].size()))
            return barClusters_[k][std::size_t(dataIndex)];
    return -1;
}

void ClusterMapView::showBarHover(QMouseEvent* event) {
    int dataIndex = -1;
    const QCPAbstractPlottable* bars = outcome_ ? sizes_->plottableAt(event->position(), false, &dataIndex) : nullptr;
    const int index = bars ? clusterOfBar(bars, dataIndex) : -1;
    if (index < 0) {
        QToolTip::hideText();
        return;
    }
    const ClusterSummary& summary = outcome_->map.clusters[std::size_t(index)];
    QStringList terms;
    for (const Keyword& keyword : summary.keywords) terms << qs(keyword.term);
    QToolTip::showText(event->globalPosition().toPoint(),
                       tr("Cluster %1: %2 questions, %3 sampled\n%4")
                           .arg(index + 1)
                           .arg(summary.size)
                           .arg(summary.sampled.size())
                           .arg(terms.join(QStringLiteral(", "))),
                       sizes_);
}

void ClusterMapView::ringMember(QListWidgetItem* item) {
    memberGraph_->data()->clear();
    if (item && outcome_) {
        const Matrix& points = outcome_->map.projection.points;
        const auto row = std::size_t(item->data(Qt::UserRole).toULongLong());
        memberGraph_->addData(points.row(row)[0], points.row(row)[1]);
    }
    plot_->replot();
}

void ClusterMapView::clickAt(QMouseEvent* event) {
    // A drag pans; only a press and release in one place is a click.
    if (event->button() != Qt::LeftButton || (event->pos() - pressedAt_).manhattanLength() > 3) return;
    const long long row = rowAt(event->position());
    selectCluster(row < 0 ? -1 : clusterOf_[std::size_t(row)]);
}

}  // namespace distill::ui
