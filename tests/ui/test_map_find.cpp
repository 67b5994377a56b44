// The cluster map's Find box, driven as a curator would on the real demo
// run with the real Llama-2 tokenizer: type a word some questions hold and
// see exactly those rows ringed and counted by cluster, step through them
// with Enter, Next and F3 (and back with Shift) as the map selects each one's
// cluster and question, wrap around, find nothing, clear, and run again with
// the text still typed; then the same search over 700k rows, timed.
#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QListWidget>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QStatusBar>
#include <QTableView>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>

#include <qcustomplot.h>

#include <algorithm>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "cluster_map_view.h"
#include "demo_run.h"
#include "distill/cluster_map.h"
#include "distill/corpus.h"
#include "distill/project.h"
#include "large_map.h"
#include "isolated_settings.h"
#include "main_window.h"
#include "question_index.h"
#include "scripted_prompts.h"

using namespace distill;
using namespace distill::ui;

namespace {

using Points = std::vector<std::pair<double, double>>;

// The points a graph of the map draws, in order of x then y.
Points drawn(QCustomPlot* plot, const QString& graphName) {
    Points points;
    for (int g = 0; g < plot->graphCount(); ++g) {
        if (plot->graph(g)->name() != graphName) continue;
        for (const QCPGraphData& point : *plot->graph(g)->data()) points.emplace_back(point.key, point.value);
    }
    std::sort(points.begin(), points.end());
    return points;
}

// Where `rows` lie on the map, in order of x then y.
Points pointsOf(const Matrix& projection, const std::vector<std::size_t>& rows) {
    Points points;
    for (std::size_t row : rows) points.emplace_back(projection.row(row)[0], projection.row(row)[1]);
    std::sort(points.begin(), points.end());
    return points;
}

QString question(const Record& record) { return QString::fromStdString(record.at("question").get<std::string>()); }

// A window that has run the demo project (copied into `dir`) and shows its
// cluster map, and that map as the run wrote it.
struct DemoMap {
    QTemporaryDir dir;
    Window w = makeWindow();
    ClusterMap map;
};

// Whether the run finished and the window is on screen (the prompts'
// errors say why not).
bool showDemoMap(DemoMap& demo) {
    if (!openAndRunDemo(*demo.w.main, demo.dir.path())) return false;
    demo.w.main->show();
    if (!QTest::qWaitForWindowExposed(demo.w.main.get())) return false;
    demo.w.main->showClusterMap();
    demo.map = read_cluster_map(demo.dir.filePath("out/cluster_map.json").toStdString());
    return true;
}

}  // namespace

class TestMapFind : public QObject {
    Q_OBJECT
    IsolatedSettings settings_;  // the recent projects, the export folders: not the user's
private slots:
    void init() { settings_.clear(); }  // each test starts as a first session does
    void findsStepsThroughAndClearsOnTheDemoRun();
    void membersRingAndOpenTheirFewShots();
    void findsAmongSevenHundredThousandRows();
    void clusterTableSortsFiltersAndSelects();
    void outliersHideAndShowAllFitsWhatIsShown();
    void coloursBySourceWithALegend();
    void colourByIsRememberedAndManySourcesStayApart();
};

// The side panel's members: a click rings the question on the map, a
// double-click on a sampled one opens the Few-Shots tab at it. A zoomed map
// comes back whole on a double-click; a bar's tooltip names its cluster.
void TestMapFind::membersRingAndOpenTheirFewShots() {
    DemoMap demo;
    QVERIFY2(showDemoMap(demo), qPrintable(demo.w.prompts->errors.join('\n')));
    auto& [dir, w, map] = demo;
    auto* view = w.main->findChild<ClusterMapView*>();
    auto* plot = w.main->findChild<QCustomPlot*>("clusterMap");
    view->selectCluster(0);
    auto* members = w.main->findChild<QListWidget*>("clusterMembers");
    QCOMPARE(std::size_t(members->count()), map.clusters[0].size);
    // "Sampled only" lists the sampled members, for this cluster and the next.
    const auto listed = [&] {
        std::size_t shown = 0;
        for (int i = 0; i < members->count(); ++i) shown += !members->item(i)->isHidden();
        return shown;
    };
    auto* sampledOnly = w.main->findChild<QCheckBox*>("sampledOnly");
    sampledOnly->setChecked(true);
    QCOMPARE(listed(), map.clusters[0].sampled.size());
    view->selectCluster(1);
    QCOMPARE(listed(), map.clusters[1].sampled.size());
    sampledOnly->setChecked(false);
    QCOMPARE(listed(), map.clusters[1].size);
    view->selectCluster(0);

    int plain = -1, sampled = -1;
    for (int i = members->count() - 1; i >= 0; --i)  // the first of each, near the top of the list
        (members->item(i)->data(Qt::UserRole + 1).toBool() ? sampled : plain) = i;
    QVERIFY(plain >= 0 && sampled >= 0);
    const auto rowOf = [&](int item) { return std::size_t(members->item(item)->data(Qt::UserRole).toULongLong()); };
    // Each row's tooltip holds its whole question, which the list cuts off.
    const QString plainQuestion = QString::fromStdString(
        pool_sources(w.main->project().resolved_sources(), w.main->project().on_bad_line)
            .records[rowOf(plain)]["question"]
            .get<std::string>());
    QVERIFY(members->item(plain)->toolTip().contains(plainQuestion.toHtmlEscaped()));
    members->setCurrentRow(plain);
    QCOMPARE(drawn(plot, "Member"), pointsOf(map.projection.points, {rowOf(plain)}));

    auto* tabs = w.main->findChild<QTabWidget*>("tabs");
    const QRect cell = members->visualItemRect(members->item(plain));
    QTest::mouseClick(members->viewport(), Qt::LeftButton, {}, cell.center());
    QTest::mouseDClick(members->viewport(), Qt::LeftButton, {}, cell.center());
    QCOMPARE(tabs->currentWidget(), view);  // not sampled: no few-shots to open
    members->scrollToItem(members->item(sampled));
    const QPoint sampledAt = members->visualItemRect(members->item(sampled)).center();
    QTest::mouseClick(members->viewport(), Qt::LeftButton, {}, sampledAt);  // item views take the press first
    QTest::mouseDClick(members->viewport(), Qt::LeftButton, {}, sampledAt);
    QVERIFY2(tabs->currentIndex() == 3, qPrintable(w.main->statusBar()->currentMessage()));
    const QString question = members->item(sampled)->text().mid(2);  // after "★ "
    auto* origins = w.main->findChild<QListWidget*>("origins");
    QVERIFY(origins && origins->currentItem());
    QVERIFY2(origins->currentItem()->text().contains(question.left(40)), qPrintable(origins->currentItem()->text()));

    // Zoomed in, then a double-click on the plot: every point in view again.
    w.main->showClusterMap();
    const QCPRange x = plot->xAxis->range(), y = plot->yAxis->range();
    plot->xAxis->scaleRange(0.1);
    plot->yAxis->scaleRange(0.1);
    QTest::mouseDClick(plot, Qt::LeftButton, {}, plot->rect().center());
    QCOMPARE(plot->xAxis->range().lower, x.lower);
    QCOMPARE(plot->yAxis->range().upper, y.upper);

    // The size chart's first bar: cluster 1, its size and sample.
    auto* sizes = w.main->findChild<QCustomPlot*>("clusterSizes");
    sizes->replot();
    const QPoint bar(int(sizes->xAxis->coordToPixel(1)), int(sizes->yAxis->coordToPixel(1)));
    QTest::mouseMove(sizes, bar);
    QTRY_VERIFY(QToolTip::isVisible());
    QVERIFY2(QToolTip::text().startsWith(QStringLiteral("Cluster 1: %1 questions, %2 sampled")
                                             .arg(map.clusters[0].size)
                                             .arg(map.clusters[0].sampled.size())),
             qPrintable(QToolTip::text()));
    // Each bar in its cluster's colour: as many colours as clusters, up to
    // the palette's twenty; a click on the second bar selects cluster 2.
    std::set<QRgb> brushes;
    for (int p = 0; p < sizes->plottableCount(); ++p)
        if (auto* bars = qobject_cast<QCPBars*>(sizes->plottable(p)); bars && !bars->data()->isEmpty())
            brushes.insert(bars->brush().color().rgb());
    QCOMPARE(brushes.size(), std::min<std::size_t>(20, map.clusters.size()));
    view->selectCluster(-1);
    const double halfway = double(map.clusters[1].size) / 2;  // clear of the axis line, which takes clicks
    QTest::mouseClick(sizes, Qt::LeftButton, {},
                      QPoint(int(sizes->xAxis->coordToPixel(2)), int(sizes->yAxis->coordToPixel(halfway))));
    QCOMPARE(view->selectedCluster(), 1);
}

void TestMapFind::findsStepsThroughAndClearsOnTheDemoRun() {
    QTemporaryDir dir;
    Window w = makeWindow();
    QVERIFY2(openAndRunDemo(*w.main, dir.path()), qPrintable(w.prompts->errors.join('\n')));
    w.main->show();
    w.main->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(w.main.get()));
    // Ctrl+F: on the Few-Shots tab its filter; from any other tab the map,
    // the keyboard in its Find box.
    auto* tabs = w.main->findChild<QTabWidget*>("tabs");
    tabs->setCurrentIndex(3);
    w.main->findChild<QAction*>("find")->trigger();
    QCOMPARE(tabs->currentIndex(), 3);
    QTRY_VERIFY(w.main->findChild<QLineEdit*>("originFilter")->hasFocus());
    tabs->setCurrentIndex(0);
    w.main->findChild<QAction*>("find")->trigger();
    QCOMPARE(tabs->currentWidget(), w.main->findChild<ClusterMapView*>());
    QTRY_VERIFY(w.main->findChild<QLineEdit*>("mapFind")->hasFocus());

    // What the run wrote and read, independently of the view: the map's
    // clusters and points, and the pooled corpus's questions.
    const ClusterMap map = read_cluster_map(dir.filePath("out/cluster_map.json").toStdString());
    const Project project = w.main->project();
    const std::vector<Record> records = pool_sources(project.resolved_sources(), project.on_bad_line).records;
    QCOMPARE(records.size(), map.projection.points.rows);
    std::vector<int> clusterOf(records.size(), -1);
    for (std::size_t c = 0; c < map.clusters.size(); ++c)
        for (RowId row : map.clusters[c].members) clusterOf[row] = int(c);
    const auto rowsContaining = [&](const QString& word) {
        std::vector<std::size_t> rows;
        for (std::size_t row = 0; row < records.size(); ++row)
            if (question(records[row]).contains(word, Qt::CaseInsensitive)) rows.push_back(row);
        return rows;
    };

    // A word of the demo's questions that some, not most, hold, in more than
    // one cluster and in an outlier too; typed upper-case, so that the match
    // is shown to ignore case.
    QString word;
    std::vector<std::size_t> expected;
    std::set<QString> tried;
    for (std::size_t row = 0; row < records.size() && word.isEmpty(); ++row) {
        const QStringList words = question(records[row]).split(QRegularExpression("[^A-Za-z]+"), Qt::SkipEmptyParts);
        for (const QString& candidate : words) {
            if (candidate.size() < 5 || !tried.insert(candidate.toLower()).second) continue;
            const std::vector<std::size_t> rows = rowsContaining(candidate);
            std::set<int> clusters;
            for (std::size_t match : rows) clusters.insert(clusterOf[match]);
            if (rows.size() >= 4 && rows.size() <= records.size() / 8 && clusters.size() >= 3 && clusters.count(-1)) {
                word = candidate.toUpper();
                expected = rows;
                break;
            }
        }
    }
    QVERIFY2(!word.isEmpty(), "no word of the demo's questions is in a few clusters and an outlier");
    std::set<int> clustersHit;
    std::size_t outliersHit = 0;
    for (std::size_t row : expected) {
        if (clusterOf[row] < 0) ++outliersHit;
        else clustersHit.insert(clusterOf[row]);
    }

    auto* view = w.main->findChild<ClusterMapView*>();
    auto* find = w.main->findChild<QLineEdit*>("mapFind");
    auto* status = w.main->findChild<QLabel*>("mapFindStatus");
    auto* next = w.main->findChild<QPushButton*>("mapFindNext");
    auto* plot = w.main->findChild<QCustomPlot*>("clusterMap");
    auto* members = w.main->findChild<QListWidget*>("clusterMembers");
    QVERIFY(find && status && next && plot && members);
    QVERIFY(!next->isEnabled());

    // Typing searches once, after the last keystroke.
    QSignalSpy searched(view, &ClusterMapView::matchesChanged);
    QTest::keyClicks(find, word);
    QCOMPARE(searched.count(), 0);
    QVERIFY(searched.wait());
    QCOMPARE(searched.count(), 1);
    QCOMPARE(view->matches(), expected);
    QCOMPARE(drawn(plot, "Find matches"), pointsOf(map.projection.points, expected));
    QCOMPARE(drawn(plot, "Find current match"), Points());
    // The word is in at least 4 questions and 3 clusters: plural but for
    // the outliers. The demo is small enough for no thousands separators.
    const QString summary = QStringLiteral("%1 questions match, in %2 clusters (%3)")
                                .arg(expected.size())
                                .arg(clustersHit.size())
                                .arg(outliersHit == 1 ? QStringLiteral("1 outlier")
                                                      : QStringLiteral("%1 outliers").arg(outliersHit));
    QCOMPARE(status->text(), summary);
    QVERIFY(next->isEnabled());

    // Enter goes to the first match: its cluster is selected as a click
    // selects it, and its question is the members list's current item.
    const auto isAt = [&](std::size_t match) {
        const std::size_t row = expected[match];
        if (view->currentMatch() != (long long)row) return false;
        // An outlier is in no list: the status quotes its question (a long
        // one cut at 160 characters, so the band above the map stays small).
        const QString asked = question(records[row]);
        const QString quoted = asked.size() <= 160 ? asked : asked.left(159) + QChar(0x2026);
        const QString where = clusterOf[row] < 0 ? QStringLiteral("an outlier: “%1”").arg(quoted)
                                                 : QStringLiteral("in cluster %1").arg(clusterOf[row] + 1);
        if (status->text() != QStringLiteral("%1; showing match %2 of %3, %4.")
                                  .arg(summary, QString::number(match + 1), QString::number(expected.size()), where))
            return false;
        if (drawn(plot, "Find current match") != pointsOf(map.projection.points, {row})) return false;
        if (view->selectedCluster() != clusterOf[row]) return false;
        if (clusterOf[row] < 0) return members->count() == 0;  // an outlier is in no list
        QListWidgetItem* item = members->currentItem();
        return item && item->isSelected() && item->data(Qt::UserRole).toULongLong() == row &&
               item->text().endsWith(question(records[row]));
    };
    QSignalSpy selected(view, &ClusterMapView::clusterSelected);
    QTest::keyClick(find, Qt::Key_Return);
    QVERIFY(isAt(0));
    QCOMPARE(selected.count(), clusterOf[expected[0]] < 0 ? 0 : 1);

    // Next steps through every match in row order, outliers included, and
    // wraps around to the first.
    for (std::size_t match = 1; match < expected.size(); ++match) {
        next->click();
        QVERIFY2(isAt(match), qPrintable(QString::number(match)));
    }
    next->click();
    QVERIFY(isAt(0));

    // Shift+Enter and Shift+F3 go back, wrapping to the last; F3 forward.
    QTest::keyClick(find, Qt::Key_Return, Qt::ShiftModifier);
    QVERIFY(isAt(expected.size() - 1));
    QTest::keyClick(find, Qt::Key_F3, Qt::ShiftModifier);
    QVERIFY(isAt(expected.size() - 2));
    QTest::keyClick(find, Qt::Key_F3);
    QVERIFY(isAt(expected.size() - 1));

    // Zoomed in far from the next match, stepping pans to it, keeping the
    // zoom: a match outside the view would be found and not seen.
    const auto inView = [&](std::size_t row) {
        const auto point = map.projection.points.row(row);
        return plot->xAxis->range().contains(point[0]) && plot->yAxis->range().contains(point[1]);
    };
    const auto last = map.projection.points.row(expected.back());
    const double width = plot->xAxis->range().size() / 50, height = plot->yAxis->range().size() / 50;
    plot->xAxis->setRange(last[0], width, Qt::AlignCenter);
    plot->yAxis->setRange(last[1], height, Qt::AlignCenter);
    QVERIFY(!inView(expected[0]));
    next->click();
    QVERIFY(isAt(0));
    QVERIFY(inView(expected[0]));
    QCOMPARE(plot->xAxis->range().size(), width);
    QCOMPARE(plot->yAxis->range().size(), height);
    // So does a cluster chosen elsewhere (the size chart): its centre comes into view.
    const int far = clusterOf[expected[0]] == 0 ? 1 : 0;
    plot->xAxis->setRange(last[0], width, Qt::AlignCenter);
    plot->yAxis->setRange(last[1], height, Qt::AlignCenter);
    view->selectCluster(far);
    bool shown = false;
    for (RowId row : map.clusters[std::size_t(far)].members) shown = shown || inView(row);
    QVERIFY(shown);
    // Its sampled members are starred on the map, as in the list.
    const Community& sampled = map.clusters[std::size_t(far)].sampled;
    QVERIFY(!sampled.empty());
    QCOMPARE(drawn(plot, "Sampled members"),
             pointsOf(map.projection.points, std::vector<std::size_t>(sampled.begin(), sampled.end())));

    // A new run's map is searched for the text still typed, at once.
    searched.clear();
    QVERIFY(runAndWait(*w.main));
    QCOMPARE(searched.count(), 1);
    QCOMPARE(view->matches(), expected);
    QCOMPARE(view->currentMatch(), -1LL);
    QCOMPARE(drawn(plot, "Find matches"), pointsOf(map.projection.points, expected));
    QCOMPARE(status->text(), summary);

    // Outliers hidden: they leave the matches (nothing there to ring or
    // step to) and the summary counts them; shown again, they are back.
    auto* hide = w.main->findChild<QCheckBox*>("hideOutliers");
    hide->setChecked(true);
    std::vector<std::size_t> inClusters;
    for (std::size_t row : expected)
        if (clusterOf[row] >= 0) inClusters.push_back(row);
    QCOMPARE(view->matches(), inClusters);
    QCOMPARE(drawn(plot, "Find matches"), pointsOf(map.projection.points, inClusters));
    const QString hiddenToo = outliersHit == 1 ? QStringLiteral("; 1 hidden outlier too")
                                               : QStringLiteral("; %1 hidden outliers too").arg(outliersHit);
    QCOMPARE(status->text(), QStringLiteral("%1 questions match, in %2 clusters")
                                 .arg(inClusters.size())
                                 .arg(clustersHit.size()) +
                                 hiddenToo);
    for (std::size_t step = 0; step < inClusters.size(); ++step) {
        next->click();
        QVERIFY(clusterOf[std::size_t(view->currentMatch())] >= 0);
    }
    // A text only an outlier holds (its whole question, in no other): no
    // match on the map, and why.
    std::optional<std::size_t> lone;
    for (std::size_t row = 0; row < records.size() && !lone; ++row)
        if (clusterOf[row] < 0 && rowsContaining(question(records[row])) == std::vector<std::size_t>{row}) lone = row;
    QVERIFY(lone);
    const QString loneQuestion = question(records[*lone]);
    find->setText(loneQuestion);
    QVERIFY(searched.wait());
    QVERIFY(view->matches().empty());
    QCOMPARE(status->text(), QStringLiteral("Only a hidden outlier contains “%1”.").arg(loneQuestion));
    QVERIFY(!next->isEnabled());
    hide->setChecked(false);
    QCOMPARE(view->matches(), std::vector<std::size_t>{*lone});
    find->setText(word);
    QVERIFY(searched.wait());
    QCOMPARE(view->matches(), expected);
    QCOMPARE(status->text(), summary);

    // A text no question holds says so, and Enter then goes nowhere.
    find->setText(QStringLiteral("zq%1xj").arg(word));
    QVERIFY(searched.wait());
    QVERIFY(view->matches().empty());
    QCOMPARE(status->text(), QStringLiteral("No question contains “zq%1xj”.").arg(word));
    QCOMPARE(drawn(plot, "Find matches"), Points());
    QVERIFY(!next->isEnabled());
    QTest::keyClick(find, Qt::Key_Return);
    QCOMPARE(view->currentMatch(), -1LL);

    // Enter pressed before typing pauses searches what is typed first.
    searched.clear();
    find->setText(word.toLower());
    QTest::keyClick(find, Qt::Key_Return);
    QCOMPARE(searched.count(), 1);
    QCOMPARE(view->matches(), expected);
    QVERIFY(isAt(0));

    // Clearing the field (Esc does) takes the rings and the status away.
    QTest::keyClick(find, Qt::Key_Escape);
    QCOMPARE(find->text(), QString());
    QVERIFY(searched.wait());
    QVERIFY(view->matches().empty());
    QCOMPARE(drawn(plot, "Find matches"), Points());
    QCOMPARE(drawn(plot, "Find current match"), Points());
    QCOMPARE(status->text(), QString());
}

// A corpus of 700k questions: the search must not freeze the window. The
// times printed are for the record; the bounds only catch a pathology.
void TestMapFind::findsAmongSevenHundredThousandRows() {
    const auto outcome = largeMapOutcome();
    // Every 1009th question holds "zebra" in some case; "topic 7" is in one
    // question of every 97 and more (topic 7, 70..79: a broad search).
    outcome->records.reserve(kLargeMapRows);
    std::vector<std::size_t> zebras;
    for (std::size_t row = 0; row < kLargeMapRows; ++row) {
        std::string text = "Question " + std::to_string(row) + " on topic " + std::to_string(row % 97);
        if (row % 1009 == 0) {
            text += row % 2 ? " with a Zebra" : " with a zEBRA";
            zebras.push_back(row);
        }
        outcome->records.push_back(Record{{"question", text}});
    }
    QElapsedTimer indexTimer;  // what the pipeline worker does once per run
    indexTimer.start();
    outcome->questionIndex = QuestionIndex(outcome->records);
    const qint64 indexMs = indexTimer.elapsed();

    ClusterMapView view;
    view.resize(1100, 700);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.setOutcome(outcome);
    auto* find = view.findChild<QLineEdit*>("mapFind");
    QSignalSpy searched(&view, &ClusterMapView::matchesChanged);

    // Searches are timed from the keystroke, so
    // the times include the 150 ms pause that typing is given.
    QElapsedTimer timer;
    timer.start();
    find->setText("zebra");
    QVERIFY(searched.wait());
    const qint64 firstMs = timer.elapsed();
    QCOMPARE(view.matches(), zebras);
    const std::size_t outliers = std::size_t(std::count_if(
        zebras.begin(), zebras.end(), [](std::size_t row) { return row >= kLargeMapClusters * kLargeMapClusterSize; }));
    QVERIFY(outliers > 0 && outliers < zebras.size());

    timer.restart();
    find->setText("topic 7");
    QVERIFY(searched.wait());
    const qint64 broadMs = timer.elapsed();
    std::size_t broad = 0;
    for (std::size_t row = 0; row < kLargeMapRows; ++row) broad += row % 97 == 7 || (row % 97) / 10 == 7;
    QCOMPARE(view.matches().size(), broad);

    timer.restart();
    QTest::keyClick(find, Qt::Key_Return);
    const qint64 stepMs = timer.elapsed();
    QCOMPARE(view.currentMatch(), (long long)view.matches().front());
    QCOMPARE(view.selectedCluster(), int(view.matches().front() / kLargeMapClusterSize));

    // The worst case: every question matches, 700k rings sorted and drawn.
    timer.restart();
    find->setText("question");
    QVERIFY(searched.wait());
    const qint64 allMs = timer.elapsed();
    QCOMPARE(view.matches().size(), kLargeMapRows);

    qInfo("700k questions: index %lld ms (worker thread), first search %lld ms, broad search (%zu matches) "
          "%lld ms, Enter %lld ms, every row matching %lld ms (searches include the 150 ms typing pause)",
          indexMs, firstMs, broad, broadMs, stepMs, allMs);
    QVERIFY2(firstMs < 2000 && broadMs < 2000 && stepMs < 2000 && allMs < 3000,
             "searching 700k questions froze the window");
}


// The table of clusters beside the map, on the demo run: one row per
// cluster; a click on a header sorts by it (numbers as numbers), a click on
// a row selects its cluster (and selecting one elsewhere shows it in the
// table), and the keyword filter keeps the clusters whose keywords contain
// the text, in any case, without changing the selection.
void TestMapFind::clusterTableSortsFiltersAndSelects() {
    DemoMap demo;
    QVERIFY2(showDemoMap(demo), qPrintable(demo.w.prompts->errors.join('\n')));
    auto& [dir, w, map] = demo;
    QVERIFY(map.clusters.size() >= 3);
    auto* view = w.main->findChild<ClusterMapView*>();
    auto* table = w.main->findChild<QTableView*>("clusterTable");
    QAbstractItemModel* rows = table->model();
    QCOMPARE(std::size_t(rows->rowCount()), map.clusters.size());
    // The cluster a row of the table stands for, 0-based, and its cells.
    const auto clusterAt = [&](int row) { return rows->index(row, 0).data().toInt() - 1; };
    const auto cell = [&](int row, int column) { return rows->index(row, column).data(); };
    for (int row = 0; row < rows->rowCount(); ++row) {
        const ClusterSummary& cluster = map.clusters[std::size_t(clusterAt(row))];
        QCOMPARE(cell(row, 1).toULongLong(), qulonglong(cluster.size));
        QCOMPARE(cell(row, 2).toULongLong(), qulonglong(cluster.sampled.size()));
        QVERIFY(cell(row, 3).toString().startsWith(QString::fromStdString(cluster.keywords.at(0).term)));
    }

    // Sorted by Sampled, as numbers, whichever way the header goes; twice
    // is the other way.
    const auto sampledColumn = [&] {
        std::vector<qulonglong> sampled;
        for (int row = 0; row < rows->rowCount(); ++row) sampled.push_back(cell(row, 2).toULongLong());
        return sampled;
    };
    QHeaderView* header = table->horizontalHeader();
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                      QPoint(header->sectionViewportPosition(2) + header->sectionSize(2) / 2, header->height() / 2));
    auto sampled = sampledColumn();
    const bool ascending = header->sortIndicatorOrder() == Qt::AscendingOrder;
    QVERIFY(ascending ? std::is_sorted(sampled.begin(), sampled.end())
                      : std::is_sorted(sampled.rbegin(), sampled.rend()));
    // One digit and two: sorted as text, 9 would come after 10, so the
    // order says the numbers were compared as numbers.
    QVERIFY(sampled.front() < 10 || sampled.back() < 10);
    QVERIFY(sampled.front() >= 10 || sampled.back() >= 10);
    QTest::mouseClick(header->viewport(), Qt::LeftButton, {},
                      QPoint(header->sectionViewportPosition(2) + header->sectionSize(2) / 2, header->height() / 2));
    sampled = sampledColumn();
    QVERIFY(ascending ? std::is_sorted(sampled.rbegin(), sampled.rend())
                      : std::is_sorted(sampled.begin(), sampled.end()));

    // A click on a row selects its cluster and lists its members.
    const int second = clusterAt(1);
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(rows->index(1, 3)).center());
    QCOMPARE(view->selectedCluster(), second);
    QCOMPARE(std::size_t(w.main->findChild<QListWidget*>("clusterMembers")->count()), map.clusters[second].size);
    // Selected elsewhere (the map, the size chart, Find): the table follows.
    view->selectCluster(2);
    QCOMPARE(clusterAt(table->currentIndex().row()), 2);
    QVERIFY(table->selectionModel()->isRowSelected(table->currentIndex().row(), {}));

    // The filter: the clusters whose keywords contain the text, in any case.
    const QString term = QString::fromStdString(map.clusters[2].keywords.at(0).term);
    auto* filter = w.main->findChild<QLineEdit*>("clusterFilter");
    QTest::keyClicks(filter, term.toUpper());
    QVERIFY(rows->rowCount() >= 1 && std::size_t(rows->rowCount()) < map.clusters.size());
    std::set<int> kept;
    for (int row = 0; row < rows->rowCount(); ++row) kept.insert(clusterAt(row));
    for (std::size_t c = 0; c < map.clusters.size(); ++c) {
        bool has = false;
        for (const Keyword& keyword : map.clusters[c].keywords)
            has = has || QString::fromStdString(keyword.term).contains(term, Qt::CaseInsensitive);
        QCOMPARE(kept.count(int(c)) == 1, has);
    }
    QCOMPARE(view->selectedCluster(), 2);
    QCOMPARE(clusterAt(table->currentIndex().row()), 2);
    // Filtered out, the selection stays; cleared, every cluster is back.
    filter->setText(QStringLiteral("no keyword holds this"));
    QCOMPARE(rows->rowCount(), 0);
    QCOMPARE(view->selectedCluster(), 2);
    filter->clear();
    QCOMPARE(std::size_t(rows->rowCount()), map.clusters.size());
    QCOMPARE(clusterAt(table->currentIndex().row()), 2);
}

// Hide outliers: their points go from the map, hover and click pass over
// them, and Show All fits the clusters alone; shown again, Show All fits
// every point, as a double-click does.
void TestMapFind::outliersHideAndShowAllFitsWhatIsShown() {
    DemoMap demo;
    QVERIFY2(showDemoMap(demo), qPrintable(demo.w.prompts->errors.join('\n')));
    auto& [dir, w, map] = demo;
    QVERIFY(map.outliers > 0);
    auto* view = w.main->findChild<ClusterMapView*>();
    auto* plot = w.main->findChild<QCustomPlot*>("clusterMap");
    std::vector<int> clusterOf(map.projection.points.rows, -1);
    for (std::size_t c = 0; c < map.clusters.size(); ++c)
        for (RowId row : map.clusters[c].members) clusterOf[row] = int(c);
    // The bounds of the rows drawn: all, or the clusters' only.
    const auto bounds = [&](bool outliersToo) {
        QCPRange x, y;  // QCPRange orders its ends: set them here
        x.lower = y.lower = 1e9;
        x.upper = y.upper = -1e9;
        for (std::size_t row = 0; row < clusterOf.size(); ++row) {
            if (!outliersToo && clusterOf[row] < 0) continue;
            x.lower = std::min<double>(x.lower, map.projection.points.row(row)[0]);
            x.upper = std::max<double>(x.upper, map.projection.points.row(row)[0]);
            y.lower = std::min<double>(y.lower, map.projection.points.row(row)[1]);
            y.upper = std::max<double>(y.upper, map.projection.points.row(row)[1]);
        }
        return std::make_pair(x, y);
    };
    // Fitted: the bounds in view, with the margin fitView adds (6%).
    const auto fits = [&](std::pair<QCPRange, QCPRange> b) {
        const QCPRange x = plot->xAxis->range(), y = plot->yAxis->range();
        return x.contains(b.first.lower) && x.contains(b.first.upper) && y.contains(b.second.lower) &&
               y.contains(b.second.upper) && x.size() <= b.first.size() * 1.07 && y.size() <= b.second.size() * 1.07;
    };
    auto* hide = w.main->findChild<QCheckBox*>("hideOutliers");
    auto* showAll = w.main->findChild<QPushButton*>("mapShowAll");
    QVERIFY(fits(bounds(true)));
    const auto outlierGraph = [&]() -> QCPGraph* {
        for (int g = 0; g < plot->graphCount(); ++g)
            if (plot->graph(g)->scatterStyle().pen().color().rgb() == QColor(205, 205, 205).rgb()) return plot->graph(g);
        return nullptr;
    };
    QVERIFY(outlierGraph() && outlierGraph()->visible());

    hide->setChecked(true);
    QVERIFY(view->outliersHidden());
    QVERIFY(!outlierGraph()->visible());
    // No outlier is picked: the pointer over each finds a cluster's row or none.
    for (std::size_t row = 0; row < clusterOf.size(); ++row) {
        if (clusterOf[row] >= 0) continue;
        const long long picked = view->rowAt(view->pixelOf(row));
        QVERIFY2(picked < 0 || clusterOf[std::size_t(picked)] >= 0, qPrintable(QString::number(row)));
    }
    plot->xAxis->scaleRange(0.1);
    plot->yAxis->scaleRange(0.1);
    QTest::mouseClick(showAll, Qt::LeftButton);
    QVERIFY(fits(bounds(false)));
    // A new run keeps them hidden, and fits the clusters alone.
    QVERIFY2(openAndRunDemo(*w.main, dir.path()), qPrintable(w.prompts->errors.join('\n')));
    QVERIFY(!outlierGraph()->visible());
    QVERIFY(fits(bounds(false)));
    // Shown again: Show All fits every point.
    hide->setChecked(false);
    QVERIFY(outlierGraph()->visible());
    QTest::mouseClick(showAll, Qt::LeftButton);
    QVERIFY(fits(bounds(true)));
}

// Colour by Sources, on the demo run's five sources: each source's rows in
// a graph of its own (its outliers apart, lighter, so Hide outliers still
// works), named in the legend with its count; a selected cluster says how
// many of its questions each source gave, and a member's tooltip its source.
// Back to Clusters, the legend goes and the outliers are grey again.
void TestMapFind::coloursBySourceWithALegend() {
    DemoMap demo;
    QVERIFY2(showDemoMap(demo), qPrintable(demo.w.prompts->errors.join('\n')));
    auto& [dir, w, map] = demo;
    // Where each row came from, as core pools them.
    const Corpus corpus = pool_sources(w.main->project().resolved_sources(), w.main->project().on_bad_line);
    QCOMPARE(corpus.source_of.size(), map.projection.points.rows);
    std::vector<int> clusterOf(map.projection.points.rows, -1);
    for (std::size_t c = 0; c < map.clusters.size(); ++c)
        for (RowId row : map.clusters[c].members) clusterOf[row] = int(c);
    const auto rowsOf = [&](std::size_t source, bool outliers) {
        std::vector<std::size_t> rows;
        for (std::size_t row = 0; row < clusterOf.size(); ++row)
            if (corpus.source_of[row] == source && (clusterOf[row] < 0) == outliers) rows.push_back(row);
        return rows;
    };

    auto* view = w.main->findChild<ClusterMapView*>();
    auto* plot = w.main->findChild<QCustomPlot*>("clusterMap");
    auto* colourBy = w.main->findChild<QComboBox*>("mapColourBy");
    QVERIFY(colourBy->isEnabled());
    colourBy->setCurrentIndex(colourBy->findText("Sources"));
    QCOMPARE(view->colouring(), ClusterMapView::Colouring::Sources);
    QVERIFY(plot->legend->visible());
    const auto& sources = corpus.report.sources;
    QCOMPARE(std::size_t(plot->legend->itemCount()), sources.size());
    std::size_t drawnRows = 0;
    for (std::size_t k = 0; k < sources.size(); ++k) {
        const QString name = QString::fromStdString(sources[k].name);
        const std::size_t all = rowsOf(k, false).size() + rowsOf(k, true).size();
        const QString legendName = QStringLiteral("%1 (%2)").arg(name, QLocale().toString(qulonglong(all)));
        QCOMPARE(drawn(plot, legendName), pointsOf(map.projection.points, rowsOf(k, false)));
        QCOMPARE(drawn(plot, name + " (outliers)"), pointsOf(map.projection.points, rowsOf(k, true)));
        auto* item = qobject_cast<QCPPlottableLegendItem*>(plot->legend->item(int(k)));
        QVERIFY(item);
        QCOMPARE(item->plottable()->name(), legendName);
        drawnRows += all;
    }
    QCOMPARE(drawnRows, map.projection.points.rows);
    QCOMPARE(view->pointCount(), map.projection.points.rows);
    // Hide outliers hides every source's.
    auto* hide = w.main->findChild<QCheckBox*>("hideOutliers");
    hide->setChecked(true);
    for (int g = 0; g < plot->graphCount(); ++g)
        if (plot->graph(g)->name().endsWith(" (outliers)")) QVERIFY(!plot->graph(g)->visible());
    hide->setChecked(false);

    // The selected cluster's questions per source, most first.
    view->selectCluster(0);
    std::vector<std::size_t> perSource(sources.size());
    for (RowId row : map.clusters[0].members) ++perSource[corpus.source_of[row]];
    const QString title = w.main->findChild<QLabel*>("clusterTitle")->text();
    const std::size_t most = std::size_t(std::max_element(perSource.begin(), perSource.end()) - perSource.begin());
    QVERIFY2(title.contains(QStringLiteral("Sources: %1 %2").arg(QString::fromStdString(sources[most].name))
                                .arg(perSource[most])),
             qPrintable(title));
    for (std::size_t k = 0; k < sources.size(); ++k)
        QCOMPARE(title.contains(QString::fromStdString(sources[k].name)), perSource[k] > 0);
    auto* members = w.main->findChild<QListWidget*>("clusterMembers");
    const auto firstRow = std::size_t(members->item(0)->data(Qt::UserRole).toULongLong());
    QVERIFY(members->item(0)->toolTip().contains(
        "from " + QString::fromStdString(sources[corpus.source_of[firstRow]].name).toHtmlEscaped()));

    // Back to clusters.
    colourBy->setCurrentIndex(colourBy->findText("Clusters"));
    QCOMPARE(view->colouring(), ClusterMapView::Colouring::Clusters);
    QVERIFY(!plot->legend->visible());
    std::vector<std::size_t> outliers;
    for (std::size_t row = 0; row < clusterOf.size(); ++row)
        if (clusterOf[row] < 0) outliers.push_back(row);
    QCOMPARE(drawn(plot, "Outliers"), pointsOf(map.projection.points, outliers));
    QCOMPARE(view->pointCount(), map.projection.points.rows);
    QCOMPARE(view->selectedCluster(), 0);  // the switch keeps the selection

    // Save Image…: offered beside the project, written as a PNG at twice the
    // map's pixels; a folder that is not there is an error, and no file.
    auto* save = w.main->findChild<QPushButton*>("mapSaveImage");
    QVERIFY(save->isEnabled());
    w.prompts->imageSavePathAnswer = dir.filePath("map.png");
    QTest::mouseClick(save, Qt::LeftButton);
    QCOMPARE(w.prompts->imageSaveSuggestions.size(), 1);
    const QFileInfo suggested(w.prompts->imageSaveSuggestions.front());
    QCOMPARE(suggested.absoluteFilePath(), QFileInfo(dir.filePath("demo-map.png")).absoluteFilePath());
    const QImage image(dir.filePath("map.png"));
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(), plot->size() * 2);
    QVERIFY(w.prompts->errors.isEmpty());
    w.prompts->imageSavePathAnswer = dir.filePath("no such folder/map.png");
    QTest::mouseClick(save, Qt::LeftButton);
    QCOMPARE(w.prompts->errors.size(), 1);
    QVERIFY2(w.prompts->errors.front().contains("no such folder/map.png"), qPrintable(w.prompts->errors.front()));
    QVERIFY(!QFileInfo::exists(dir.filePath("no such folder")));
}

// Colour by and Hide outliers are remembered for the next session; a
// project pooling thirty datasets gets thirty colours, none the outliers'
// grey. On a hand-made outcome: 300 rows from 30 sources, one cluster.
void TestMapFind::colourByIsRememberedAndManySourcesStayApart() {
    constexpr std::size_t kSources = 30, kRows = 300;
    auto outcome = std::make_shared<PipelineOutcome>();
    outcome->map.projection.points = Matrix(kRows, 2);
    ClusterSummary cluster;
    for (std::size_t row = 0; row < kRows; ++row) {
        outcome->map.projection.points.row(row)[0] = float(row % 17);
        outcome->map.projection.points.row(row)[1] = float(row / 17);
        outcome->sourceOf.push_back(std::uint32_t(row % kSources));
        if (row < 100) cluster.members.push_back(RowId(row));
    }
    cluster.size = cluster.members.size();
    outcome->map.clusters.push_back(cluster);
    outcome->map.outliers = kRows - cluster.size;
    for (std::size_t k = 0; k < kSources; ++k)
        outcome->corpusReport.sources.push_back({"source " + std::to_string(k), "", kRows / kSources, 0, 0});
    {
        ClusterMapView view;
        view.setOutcome(outcome);
        QCOMPARE(view.colouring(), ClusterMapView::Colouring::Clusters);  // a first session's
        QVERIFY(!view.outliersHidden());
        view.findChild<QComboBox*>("mapColourBy")->setCurrentIndex(1);
        view.findChild<QCheckBox*>("hideOutliers")->setChecked(true);
        QCOMPARE(view.colouring(), ClusterMapView::Colouring::Sources);
        auto* plot = view.findChild<QCustomPlot*>("clusterMap");
        QCOMPARE(plot->legend->itemCount(), int(kSources));
        std::set<QRgb> colours;
        for (int i = 0; i < plot->legend->itemCount(); ++i) {
            auto* item = qobject_cast<QCPPlottableLegendItem*>(plot->legend->item(i));
            QVERIFY(item);
            colours.insert(qobject_cast<QCPGraph*>(item->plottable())->scatterStyle().pen().color().rgb());
        }
        QCOMPARE(colours.size(), kSources);
        QVERIFY(!colours.count(QColor(205, 205, 205).rgb()));
    }
    // The next session's map: by source, outliers hidden.
    ClusterMapView next;
    QVERIFY(next.outliersHidden());
    next.setOutcome(outcome);
    QCOMPARE(next.colouring(), ClusterMapView::Colouring::Sources);
    // An outcome that does not say where its rows came from is coloured by
    // cluster; the choice stays for the next one that does.
    auto anonymous = std::make_shared<PipelineOutcome>(*outcome);
    anonymous->sourceOf.clear();
    next.setOutcome(anonymous);
    QCOMPARE(next.colouring(), ClusterMapView::Colouring::Clusters);
    QVERIFY(!next.findChild<QComboBox*>("mapColourBy")->isEnabled());
    next.setOutcome(outcome);
    QCOMPARE(next.colouring(), ClusterMapView::Colouring::Sources);
}

QTEST_MAIN(TestMapFind)
#include "test_map_find.moc"
