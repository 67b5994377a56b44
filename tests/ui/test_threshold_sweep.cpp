// The threshold sweep panel of the Run tab, driven as a curator would on the
// real demo project: before a run it asks for one; after a run it sweeps the
// run's embeddings in the background and shows exactly what core's
// sweep_thresholds and detect_communities give on those embeddings; a row or
// a point becomes the project's threshold and the next run uses it; a bad
// range, a lost embeddings file and Cancel leave it usable. Under k-means a
// choice asks before switching to community detection, and the last range
// swept comes back in the next session.
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolTip>

#include <functional>

#include <qcustomplot.h>

#include "demo_run.h"
#include "isolated_settings.h"
#include "distill/cluster.h"
#include "distill/corpus.h"
#include "distill/embedder.h"
#include "main_window.h"
#include "pipeline_worker.h"
#include "scripted_prompts.h"
#include "support/test_support.h"
#include "threshold_sweep_view.h"

using namespace distill;
using namespace distill::ui;

namespace {

constexpr int kSweepTimeoutMs = 60000;

// The demo's embeddings computed here, independently of the run and the
// panel: the demo embeds with the built-in hashing embedder.
Matrix demoEmbeddings(const Project& project) {
    const Corpus corpus = pool_sources(project.resolved_sources(), project.on_bad_line);
    std::vector<std::string> questions;
    for (const auto& record : corpus.records) questions.push_back(record["question"].get<std::string>());
    return make_embedder(project.pipeline.embedder)->embed(questions);
}

// Presses Sweep and waits for the end; returns whether it finished.
bool sweepAndWait(MainWindow& window) {
    auto* view = window.findChild<ThresholdSweepView*>();
    QSignalSpy finished(view, &ThresholdSweepView::sweepFinished);
    QTest::mouseClick(window.findChild<QPushButton*>("sweepButton"), Qt::LeftButton);
    if (finished.isEmpty() && !finished.wait(kSweepTimeoutMs)) return false;
    return finished.count() == 1 && finished.first().first().toBool();
}

struct ShownRow {
    double threshold;
    std::size_t communities, covered;
};

ShownRow shownRow(QTableWidget* table, int row) {
    return {table->item(row, ThresholdSweepView::ThresholdColumn)->data(Qt::UserRole).toDouble(),
            std::size_t(table->item(row, ThresholdSweepView::CommunitiesColumn)->data(Qt::UserRole).toULongLong()),
            std::size_t(table->item(row, ThresholdSweepView::CoveredColumn)->data(Qt::UserRole).toULongLong())};
}

int rowOf(QTableWidget* table, double threshold) {
    for (int row = 0; row < table->rowCount(); ++row)
        if (std::abs(shownRow(table, row).threshold - threshold) < 1e-9) return row;
    return -1;
}

QString statusOf(MainWindow& window) { return window.findChild<QLabel*>("sweepStatus")->text(); }

// A mouse click on the table's `row`, as a curator chooses it.
void clickRow(QTableWidget* table, int row) {
    table->scrollToItem(table->item(row, 0));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualItemRect(table->item(row, 0)).center());
}

struct RangeShown {
    double from, to, step;
    int minSize;
};

RangeShown rangeShown(MainWindow& window) {
    return {window.findChild<QDoubleSpinBox*>("sweepFrom")->value(),
            window.findChild<QDoubleSpinBox*>("sweepTo")->value(),
            window.findChild<QDoubleSpinBox*>("sweepStep")->value(),
            window.findChild<QSpinBox*>("sweepMinSize")->value()};
}

}  // namespace

class TestThresholdSweep : public QObject {
    Q_OBJECT
    IsolatedSettings settings_;
    QTemporaryDir dir_;
    QString project_;

    // The demo project with `edit` applied, saved as `name` beside it.
    QString demoVariant(const QString& name, const std::function<void(Project&)>& edit) {
        Project project = load_project(project_.toStdString());
        edit(project);
        const QString path = dir_.filePath(name);
        save_project(project, path.toStdString());
        return path;
    }

    // A window on the demo project after a run into the suite's one output
    // folder (the runs after the first reuse its cache).
    Window ranDemo() {
        Window w = makeWindow();
        if (!w.main->openProject(project_)) return w;
        w.main->setOutputDir(dir_.filePath("out"));
        if (!runAndWait(*w.main)) w.prompts->errors << "the demo run did not finish";
        return w;
    }

private slots:
    void initTestCase();
    void beforeARunItAsksForOne();
    void sweepEqualsCoreAndAChoiceIsTheNextRunsThreshold();
    void aMinSizeTriedHereIsChosenWithTheThreshold();
    void badRangeAndLostEmbeddingsAreReported();
    void cancelLeavesThePanelUsable();
    void overTheMemoryBoundItSaysSo();
    void aRowChosenUnderKMeansAsksFirst();
    void theLastRangeIsRemembered();
    // Each test starts as a first session would, remembering no range.
    void cleanup() { settings_.clear(); }
};

void TestThresholdSweep::initTestCase() {
    QVERIFY(dir_.isValid());
    QVERIFY(settings_.isValid());
    project_ = copyDemoProject(dir_.path());
}

void TestThresholdSweep::beforeARunItAsksForOne() {
    Window w = makeWindow();
    QVERIFY(w.main->openProject(project_));
    QVERIFY2(statusOf(*w.main).contains("Run the pipeline first"), qPrintable(statusOf(*w.main)));
    QVERIFY(!w.main->findChild<QPushButton*>("sweepButton")->isEnabled());
    // The defaults: the CLI's example range at the project's min size.
    QCOMPARE(w.main->findChild<QDoubleSpinBox*>("sweepFrom")->value(), 0.5);
    QCOMPARE(w.main->findChild<QDoubleSpinBox*>("sweepTo")->value(), 0.95);
    QCOMPARE(w.main->findChild<QDoubleSpinBox*>("sweepStep")->value(), 0.05);
    QCOMPARE(w.main->findChild<QSpinBox*>("sweepMinSize")->value(), 10);
    // Asked anyway (the panel's own entry point), it says why not.
    auto* view = w.main->findChild<ThresholdSweepView*>();
    QSignalSpy finished(view, &ThresholdSweepView::sweepFinished);
    view->startSweep();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(w.prompts->errors.size(), 1);
    QVERIFY2(w.prompts->errors.first().contains("Run the pipeline first"), qPrintable(w.prompts->errors.first()));
}

void TestThresholdSweep::sweepEqualsCoreAndAChoiceIsTheNextRunsThreshold() {
    Window w = ranDemo();
    QVERIFY2(w.prompts->errors.isEmpty(), qPrintable(w.prompts->errors.join('\n')));
    QVERIFY(!w.main->isWindowModified());
    w.main->resize(1400, 900);
    w.main->show();
    QVERIFY(QTest::qWaitForWindowExposed(w.main.get()));
    QVERIFY2(statusOf(*w.main).contains("2,690 questions"), qPrintable(statusOf(*w.main)));

    QVERIFY2(sweepAndWait(*w.main), qPrintable(statusOf(*w.main) + w.prompts->errors.join('\n')));
    QVERIFY(w.prompts->errors.isEmpty());

    // Core on the same embeddings, computed here: every row equal.
    const Project project = w.main->project();
    const Matrix embeddings = demoEmbeddings(project);
    SweepOptions options;
    options.thresholds = threshold_steps(0.5, 0.95, 0.05);
    options.min_size = project.pipeline.min_community_size;
    const SweepResult expected = sweep_thresholds(embeddings, options);
    auto* table = w.main->findChild<QTableWidget*>("sweepTable");
    QCOMPARE(std::size_t(table->rowCount()), expected.rows.size());
    QCOMPARE(expected.rows.size(), std::size_t(10));
    for (int row = 0; row < table->rowCount(); ++row) {
        const ShownRow shown = shownRow(table, row);
        const SweepRow& want = expected.rows[std::size_t(row)];
        QCOMPARE(shown.threshold, want.threshold);
        QCOMPARE(shown.communities, want.communities);
        QCOMPARE(shown.covered, want.covered);
        // The share of the corpus beside the count.
        QVERIFY(table->item(row, ThresholdSweepView::CoveredColumn)
                    ->text()
                    .endsWith(QString("(%1%)").arg(QLocale().toString(100.0 * double(want.covered) / 2690, 'f', 1))));
    }
    // And at the project's threshold, what the run itself clustered.
    const int current = rowOf(table, 0.75);
    QVERIFY(current >= 0);
    const auto communities = test::read_json(dir_.filePath("out/communities.json").toStdString());
    QCOMPARE(shownRow(table, current).communities, communities.size());
    CommunityOptions detect;
    detect.threshold = 0.6;
    detect.min_size = project.pipeline.min_community_size;
    const CommunityResult at06 = detect_communities(embeddings, detect);
    QCOMPARE(shownRow(table, rowOf(table, 0.6)).communities, at06.communities.size());
    // The rows differ from one another, or the comparisons above prove little.
    QVERIFY(shownRow(table, 0).covered > shownRow(table, table->rowCount() - 1).covered);

    // The chart holds one point per row per curve, and the project's
    // threshold is the selected row.
    auto* plot = w.main->findChild<QCustomPlot*>("sweepPlot");
    QCOMPARE(plot->graphCount(), 2);
    QCOMPARE(plot->graph(0)->dataCount(), table->rowCount());
    QCOMPARE(plot->graph(1)->dataCount(), table->rowCount());
    QCOMPARE(table->selectedRanges().size(), 1);
    QCOMPARE(table->selectedRanges().first().topRow(), current);

    // Hovering a point shows its exact numbers.
    auto* view = w.main->findChild<ThresholdSweepView*>();
    w.main->findChild<QTabWidget*>("tabs")->setCurrentIndex(1);
    plot->replot();
    const int at06Row = rowOf(table, 0.6);
    QTest::mouseMove(plot, view->pixelOf(at06Row).toPoint());
    QTRY_VERIFY(QToolTip::isVisible());
    const QString tip = QToolTip::text();
    QVERIFY2(tip.contains(QString("%1 communities").arg(at06.communities.size())), qPrintable(tip));
    QVERIFY2(tip.contains(QLocale().toString(qulonglong(shownRow(table, at06Row).covered)) + " of 2,690"),
             qPrintable(tip));

    // A row chosen in the table becomes the project's threshold, edited.
    auto* threshold = w.main->findChild<QDoubleSpinBox*>("threshold");
    QCOMPARE(threshold->value(), 0.75);
    table->selectRow(at06Row);
    QCOMPARE(threshold->value(), 0.6);
    QVERIFY(w.main->isWindowModified());
    QCOMPARE(w.main->project().pipeline.threshold, 0.6);

    // So does a point clicked on the chart.
    const int at085Row = rowOf(table, 0.85);
    QTest::mouseClick(plot, Qt::LeftButton, {}, view->pixelOf(at085Row).toPoint());
    QCOMPARE(threshold->value(), 0.85);
    QCOMPARE(table->selectedRanges().first().topRow(), at085Row);
    // Already community detection: nothing to ask.
    QVERIFY(w.prompts->switchToCommunitiesOffers.isEmpty());

    // The next run clusters at it; its new embeddings-to-be clear the rows.
    QVERIFY(runAndWait(*w.main));
    const auto rerun = test::read_json(dir_.filePath("out/communities.json").toStdString());
    QCOMPARE(rerun.size(), expected.rows[std::size_t(at085Row)].communities);
    QCOMPARE(table->rowCount(), 0);
    QVERIFY(!view->result());
}

void TestThresholdSweep::aMinSizeTriedHereIsChosenWithTheThreshold() {
    Window w = ranDemo();
    QVERIFY2(w.prompts->errors.isEmpty(), qPrintable(w.prompts->errors.join('\n')));
    auto* minSize = w.main->findChild<QSpinBox*>("sweepMinSize");
    minSize->setValue(5);
    // Editing another setting leaves the min size tried here alone.
    w.main->findChild<QSpinBox*>("sampleSize")->setValue(77);
    QCOMPARE(minSize->value(), 5);
    QVERIFY(sweepAndWait(*w.main));

    auto* table = w.main->findChild<QTableWidget*>("sweepTable");
    // At min size 5 a click on the row of the project's threshold, which is
    // the selected one, is a choice too.
    w.main->show();
    QVERIFY(QTest::qWaitForWindowExposed(w.main.get()));
    w.main->findChild<QTabWidget*>("tabs")->setCurrentIndex(1);
    const int current = rowOf(table, 0.75);
    QCOMPARE(table->selectedRanges().first().topRow(), current);
    table->scrollToItem(table->item(current, 0));
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                      table->visualItemRect(table->item(current, 0)).center());
    const Project project = w.main->project();
    QCOMPARE(project.pipeline.threshold, 0.75);
    QCOMPARE(project.pipeline.min_community_size, std::size_t(5));
    QCOMPARE(w.main->findChild<QSpinBox*>("minCommunitySize")->value(), 5);
}

void TestThresholdSweep::badRangeAndLostEmbeddingsAreReported() {
    Window w = ranDemo();
    QVERIFY2(w.prompts->errors.isEmpty(), qPrintable(w.prompts->errors.join('\n')));
    QVERIFY(sweepAndWait(*w.main));
    auto* table = w.main->findChild<QTableWidget*>("sweepTable");
    const int rows = table->rowCount();

    // From above To: core's message, through the window's prompts.
    w.main->findChild<QDoubleSpinBox*>("sweepFrom")->setValue(0.9);
    w.main->findChild<QDoubleSpinBox*>("sweepTo")->setValue(0.5);
    QVERIFY(!sweepAndWait(*w.main));
    QCOMPARE(w.prompts->errors.size(), 1);
    QVERIFY2(w.prompts->errors.first().contains("FIRST <= LAST"), qPrintable(w.prompts->errors.first()));
    QVERIFY(statusOf(*w.main).contains("FIRST <= LAST"));
    // Nothing was lost and the panel still works.
    QCOMPARE(table->rowCount(), rows);
    QVERIFY(w.main->findChild<QPushButton*>("sweepButton")->isEnabled());

    // The run's embeddings changed in place behind its back (same size, one
    // value): refused against the entry's record, not swept.
    w.main->findChild<QDoubleSpinBox*>("sweepFrom")->setValue(0.5);
    const QDir cache(dir_.filePath("out/.distill-cache/embeddings"));
    const QStringList npys = cache.entryList({"*.npy"});
    QVERIFY(!npys.isEmpty());
    for (const QString& npy : npys) {
        QFile file(cache.filePath(npy));
        QVERIFY(file.open(QIODevice::ReadWrite));
        float value = 0;
        QVERIFY(file.seek(file.size() - qint64(sizeof value)));
        QCOMPARE(file.read(reinterpret_cast<char*>(&value), sizeof value), qint64(sizeof value));
        value += 1;
        QVERIFY(file.seek(file.size() - qint64(sizeof value)));
        QCOMPARE(file.write(reinterpret_cast<const char*>(&value), sizeof value), qint64(sizeof value));
    }
    QVERIFY(!sweepAndWait(*w.main));
    QCOMPARE(w.prompts->errors.size(), 2);
    QVERIFY2(w.prompts->errors.last().contains("no longer match their record"), qPrintable(w.prompts->errors.last()));
    QVERIFY2(w.prompts->errors.last().contains("run the pipeline again"), qPrintable(w.prompts->errors.last()));

    // Deleted: the file is named.
    for (const QString& npy : npys) QVERIFY(QFile::remove(cache.filePath(npy)));
    QVERIFY(!sweepAndWait(*w.main));
    QCOMPARE(w.prompts->errors.size(), 3);
    QVERIFY2(w.prompts->errors.last().contains(".distill-cache"), qPrintable(w.prompts->errors.last()));
    QVERIFY(w.main->findChild<QPushButton*>("sweepButton")->isEnabled());
    // The next run embeds again (the cache misses) and the sweep works.
    QVERIFY(runAndWait(*w.main));
    QVERIFY(sweepAndWait(*w.main));
}

void TestThresholdSweep::cancelLeavesThePanelUsable() {
    Window w = ranDemo();
    QVERIFY2(w.prompts->errors.isEmpty(), qPrintable(w.prompts->errors.join('\n')));
    auto* view = w.main->findChild<ThresholdSweepView*>();
    auto* sweepButton = w.main->findChild<QPushButton*>("sweepButton");
    auto* cancel = w.main->findChild<QPushButton*>("cancelSweep");
    QVERIFY(!cancel->isEnabled());

    // Cancel pressed right after Sweep, before the worker thread got far:
    // the worker checks before it reads the embeddings.
    QSignalSpy finished(view, &ThresholdSweepView::sweepFinished);
    QTest::mouseClick(sweepButton, Qt::LeftButton);
    QVERIFY(view->isSweeping());
    QVERIFY(cancel->isEnabled());
    QVERIFY(!sweepButton->isEnabled());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QVERIFY(!cancel->isEnabled());  // pressed once
    QVERIFY(finished.wait(kSweepTimeoutMs));
    QCOMPARE(finished.first().first().toBool(), false);
    QVERIFY2(statusOf(*w.main).contains("cancelled"), qPrintable(statusOf(*w.main)));
    QVERIFY(w.prompts->errors.isEmpty());
    QVERIFY(!view->isSweeping());
    QVERIFY(sweepButton->isEnabled());
    QVERIFY(w.main->findChild<QDoubleSpinBox*>("sweepFrom")->isEnabled());
    QCOMPARE(w.main->findChild<QTableWidget*>("sweepTable")->rowCount(), 0);

    // And a sweep after it runs to the end.
    QVERIFY(sweepAndWait(*w.main));
    QCOMPARE(w.main->findChild<QTableWidget*>("sweepTable")->rowCount(), 10);
}

void TestThresholdSweep::overTheMemoryBoundItSaysSo() {
    Window w = ranDemo();
    QVERIFY2(w.prompts->errors.isEmpty(), qPrintable(w.prompts->errors.join('\n')));
    auto* view = w.main->findChild<ThresholdSweepView*>();
    QVERIFY(sweepAndWait(*w.main));
    const SweepResult onePass = *view->result();
    QVERIFY(onePass.one_pass);

    // One neighbour short of what the single pass kept: it cannot be one
    // pass, and each threshold's own pass (with fewer neighbours above the
    // lowest) mostly fits, which keeps this quick.
    view->setMemberBudgetBytes((onePass.kept_neighbours - 1) * 8);
    QVERIFY(sweepAndWait(*w.main));
    QVERIFY(!view->result()->one_pass);
    QVERIFY2(statusOf(*w.main).contains("did not fit in the memory bound"), qPrintable(statusOf(*w.main)));
    // The same numbers either way.
    QCOMPARE(view->result()->rows.size(), onePass.rows.size());
    for (std::size_t i = 0; i < onePass.rows.size(); ++i) {
        QCOMPARE(view->result()->rows[i].communities, onePass.rows[i].communities);
        QCOMPARE(view->result()->rows[i].covered, onePass.rows[i].covered);
    }
}

void TestThresholdSweep::aRowChosenUnderKMeansAsksFirst() {
    // Saved with k-means, so the window starts unedited.
    const QString kmeans = demoVariant("kmeans.distill.json", [](Project& p) { p.pipeline.clustering = "kmeans"; });
    Window w = makeWindow();
    QVERIFY(w.main->openProject(kmeans));
    w.main->setOutputDir(dir_.filePath("out-kmeans"));
    QVERIFY2(runAndWait(*w.main), qPrintable(w.prompts->errors.join('\n')));
    QVERIFY2(sweepAndWait(*w.main), qPrintable(statusOf(*w.main) + w.prompts->errors.join('\n')));
    QVERIFY(!w.main->isWindowModified());
    w.main->show();
    QVERIFY(QTest::qWaitForWindowExposed(w.main.get()));
    w.main->findChild<QTabWidget*>("tabs")->setCurrentIndex(1);
    auto* table = w.main->findChild<QTableWidget*>("sweepTable");
    auto* threshold = w.main->findChild<QDoubleSpinBox*>("threshold");
    auto* minSize = w.main->findChild<QSpinBox*>("minCommunitySize");
    const int stored = rowOf(table, 0.75);  // the project's threshold, unused by k-means
    const int at06 = rowOf(table, 0.6);
    QVERIFY(table->selectedRanges().isEmpty());  // so no row is marked as in use
    auto& offers = w.prompts->switchToCommunitiesOffers;

    // No, to a click: asked once, and nothing of the row is taken.
    w.prompts->switchToCommunitiesAnswer = false;
    clickRow(table, at06);
    QCOMPARE(offers.size(), 1);
    QCOMPARE(offers.first().first, 0.6);
    QCOMPARE(offers.first().second, std::size_t(10));
    const auto nothingTaken = [&] {
        QCOMPARE(w.main->project().pipeline.clustering, std::string("kmeans"));
        QCOMPARE(threshold->value(), 0.75);
        QCOMPARE(minSize->value(), 10);
        QVERIFY(!w.main->isWindowModified());
        // The table goes back to what the project uses: no threshold.
        QTRY_VERIFY(table->selectedRanges().isEmpty());
    };
    nothingTaken();
    if (QTest::currentTestFailed()) return;
    // No, to a selection by keys.
    table->setFocus();
    QTest::keyClick(table, Qt::Key_Down);
    QCOMPARE(offers.size(), 2);
    QCOMPARE(offers.last().first, shownRow(table, at06 + 1).threshold);
    nothingTaken();
    if (QTest::currentTestFailed()) return;
    // The row of the threshold the project stores but k-means ignores is a
    // choice like any other.
    clickRow(table, stored);
    QCOMPARE(offers.size(), 3);
    QCOMPARE(offers.last().first, 0.75);
    nothingTaken();
    if (QTest::currentTestFailed()) return;

    // Yes: community detection at the row's threshold and min size.
    w.prompts->switchToCommunitiesAnswer = true;
    clickRow(table, at06);
    QCOMPARE(offers.size(), 4);
    QCOMPARE(w.main->project().pipeline.clustering, std::string("community"));
    QCOMPARE(threshold->value(), 0.6);
    QCOMPARE(w.main->project().pipeline.min_community_size, std::size_t(10));
    QVERIFY(w.main->isWindowModified());
    QCOMPARE(table->selectedRanges().first().topRow(), at06);

    // From then on it clusters by communities: no question.
    clickRow(table, rowOf(table, 0.85));
    QCOMPARE(offers.size(), 4);
    QCOMPARE(threshold->value(), 0.85);
}

void TestThresholdSweep::theLastRangeIsRemembered() {
    {
        Window w = ranDemo();
        QVERIFY2(w.prompts->errors.isEmpty(), qPrintable(w.prompts->errors.join('\n')));
        w.main->findChild<QDoubleSpinBox*>("sweepFrom")->setValue(0.6);
        w.main->findChild<QDoubleSpinBox*>("sweepTo")->setValue(0.9);
        w.main->findChild<QDoubleSpinBox*>("sweepStep")->setValue(0.1);
        w.main->findChild<QSpinBox*>("sweepMinSize")->setValue(5);
        QVERIFY(sweepAndWait(*w.main));
        QCOMPARE(w.main->findChild<QTableWidget*>("sweepTable")->rowCount(), 4);
    }
    // The next session starts from that range, and from the min size tried
    // against the demo's own 10.
    {
        Window w = makeWindow();
        QVERIFY(w.main->openProject(project_));
        const RangeShown range = rangeShown(*w.main);
        QCOMPARE(range.from, 0.6);
        QCOMPARE(range.to, 0.9);
        QCOMPARE(range.step, 0.1);
        QCOMPARE(range.minSize, 5);
        QCOMPARE(w.main->project().pipeline.min_community_size, std::size_t(10));  // the project's untouched
        QVERIFY(!w.main->isWindowModified());
    }
    // A project of another min size sweeps at its own.
    const QString min20 = demoVariant("min20.distill.json", [](Project& p) { p.pipeline.min_community_size = 20; });
    {
        Window w = makeWindow();
        QVERIFY(w.main->openProject(min20));
        QCOMPARE(rangeShown(*w.main).from, 0.6);
        QCOMPARE(rangeShown(*w.main).minSize, 20);
    }
    // Swept at the project's own min size, only the range is remembered.
    {
        Window w = ranDemo();
        QCOMPARE(rangeShown(*w.main).minSize, 5);
        w.main->findChild<QSpinBox*>("sweepMinSize")->setValue(10);
        w.main->findChild<QDoubleSpinBox*>("sweepStep")->setValue(0.15);
        QVERIFY(sweepAndWait(*w.main));
    }
    {
        Window w = makeWindow();
        QVERIFY(w.main->openProject(project_));
        QCOMPARE(rangeShown(*w.main).step, 0.15);
        QCOMPARE(rangeShown(*w.main).minSize, 10);
    }
}

QTEST_MAIN(TestThresholdSweep)
#include "test_threshold_sweep.moc"
