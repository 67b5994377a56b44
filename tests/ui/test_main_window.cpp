// The main window driven as a curator would: start a project from the math
// preset, point its sources at real files, save and reopen it, load the
// corpus in the background, cancel a load, and choose Skip or Abort at a bad
// line. Questions the window asks go to ScriptedPrompts instead of modal
// dialogs, so nothing waits on a person or a timer.
#include <QAbstractButton>
#include <QAbstractItemModel>
#include <QFile>
#include <QLabel>
#include <QListWidget>
#include <QMap>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "distill/project.h"
#include "isolated_settings.h"
#include "main_window.h"
#include "project_view.h"
#include "scripted_prompts.h"
#include "source_table_model.h"
#include "user_prompts.h"

using namespace distill;
using namespace distill::ui;

namespace {

void writeFile(const QString& path, const QByteArray& content) {
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(path));
    file.write(content);
}

// One small file per math-preset source, shaped like that dataset and in the
// column names the preset maps. MetaMathQA repeats a gsm8k question, so the
// pooled corpus has 9 - 1 = 8 records and one duplicate replaced.
QStringList writeMathSources(const QString& dir) {
    const QStringList paths = {dir + "/gsm8k.jsonl", dir + "/math_qa.json", dir + "/tal.csv",
                               dir + "/metamath.jsonl", dir + "/mathinstruct.jsonl"};
    writeFile(paths[0],
              "{\"question\": \"What is 2 + 2?\", \"answer\": \"2 + 2 = 4\\n#### 4\"}\n"
              "{\"question\": \"Tom has 3 apples and eats one. How many are left?\", \"answer\": \"#### 2\"}\n"
              "{\"question\": \"What is 10 times 7?\", \"answer\": \"#### 70\"}\n");
    writeFile(paths[1],
              "[{\"Problem\": \"a train covers 60 km in 1.5 hours. find its speed.\", \"Rationale\": \"60 / 1.5\", "
              "\"options\": \"a ) 40 , b ) 45\", \"correct\": \"a\"},\n"
              " {\"Problem\": \"what is 15 % of 200 ?\", \"Rationale\": \"0.15 * 200\", \"options\": \"a ) 30 , b ) "
              "20\", \"correct\": \"a\"}]\n");
    writeFile(paths[2],
              "problem,answer_value\n"
              "\"If x + 3 = 7, what is x?\",4\n"
              "\"How many sides has a hexagon?\",6\n");
    writeFile(paths[3],
              "{\"query\": \"What is 2 + 2?\", \"response\": \"The answer is: 4\", \"type\": \"GSM_AnsAug\"}\n");
    writeFile(paths[4],
              "{\"instruction\": \"Compute 9 squared.\", \"output\": \"81\", \"source\": \"data/CoT/math50k.json\"}\n");
    return paths;
}

QAbstractItemModel* sourcesModel(MainWindow& window) {
    auto* table = window.findChild<QTableView*>("sources");
    return table ? table->model() : nullptr;
}

void setSourcePaths(MainWindow& window, const QStringList& paths) {
    QAbstractItemModel* model = sourcesModel(window);
    QVERIFY(model);
    QCOMPARE(model->rowCount(), paths.size());
    for (int row = 0; row < paths.size(); ++row)
        QVERIFY(model->setData(model->index(row, SourceTableModel::PathColumn), paths[row]));
}

// Starts the window's project from the math preset the way a curator does:
// selecting it in the preset list of an empty project and accepting.
void startFromMathPreset(Window& w) {
    auto* presets = w.main->findChild<QListWidget*>("domainPresets");
    QVERIFY(presets);
    const auto matches = presets->findItems("math", Qt::MatchExactly);
    QCOMPARE(matches.size(), 1);
    presets->setCurrentItem(matches.first());
    QCOMPARE(w.prompts->presetOffers, QStringList{"math"});
}

QString cell(QTableWidget* table, int row, int column) {
    return table->item(row, column) ? table->item(row, column)->text() : QString();
}

// Runs a load and waits for its end; returns whether the corpus loaded.
bool loadAndWait(MainWindow& window) {
    QSignalSpy finished(&window, &MainWindow::corpusLoadFinished);
    window.loadCorpus();
    if (finished.isEmpty() && !finished.wait(30000)) return false;
    return finished.count() == 1 && finished.first().first().toBool();
}

// A project with one JSONL source whose second line is not JSON.
QString writeProjectWithBadLine(const QString& dir) {
    writeFile(dir + "/broken.jsonl",
              "{\"question\": \"first\", \"answer\": \"a\"}\n"
              "{\"question\": \"second\", \"answer\": \n"
              "{\"question\": \"third\", \"answer\": \"c\"}\n");
    Project project;
    project.name = "broken";
    project.domain = "custom";
    SourceSpec source;
    source.name = "broken";
    source.path = (dir + "/broken.jsonl").toStdString();
    project.sources.push_back(source);
    const QString path = dir + "/broken.distill.json";
    save_project(project, path.toStdString());
    return path;
}

// The Alt+letter of a label or button text ("Re&place" -> 'P'), or none.
QChar mnemonicOf(const QString& text) {
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        if (text[i] != '&') continue;
        if (text[i + 1] != '&') return text[i + 1].toUpper();
        ++i;  // "&&" is a literal ampersand
    }
    return {};
}

}  // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
    IsolatedSettings settings_;  // the recent projects, the export folders: not the user's
private slots:
    void fileMenuListsEveryPreset();
    void projectRoundTripsThroughSaveAndOpen();
    void loadShowsCountsPerSource();
    void cancelLeavesWindowUsable();
    void badLineSkipReloadsAndStoresPolicy();
    void badLineAbortLoadsNothing();
    void missingFileIsReportedBeforeLoading();
    void unsavedChangesAreGuarded();
    void mnemonicsAreUniqueOnEveryTab();
    void openRecentListsProjectsNewestFirst();
};

void TestMainWindow::fileMenuListsEveryPreset() {
    Window w = makeWindow();
    QMenu* presetMenu = nullptr;
    for (QMenu* menu : w.main->menuBar()->findChildren<QMenu*>())
        if (menu->title().remove('&') == "New from Preset") presetMenu = menu;
    QVERIFY(presetMenu);
    QStringList listed;
    for (QAction* action : presetMenu->actions()) listed << action->text();
    QStringList expected;
    for (const auto& preset : domain_presets()) expected << QString::fromStdString(preset.name);
    QCOMPARE(listed, expected);
    QVERIFY(expected.contains("math"));

    // Choosing one gives a new project on that preset's sources.
    presetMenu->actions().at(expected.indexOf("science"))->trigger();
    QCOMPARE(w.main->project().domain, std::string("science"));
    QCOMPARE(w.main->project().sources.size(), find_domain_preset("science")->sources.size());
}

void TestMainWindow::projectRoundTripsThroughSaveAndOpen() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList files = writeMathSources(dir.path());

    Window w = makeWindow();
    startFromMathPreset(w);
    setSourcePaths(*w.main, files);
    QAbstractItemModel* model = sourcesModel(*w.main);
    QVERIFY(model->setData(model->index(2, SourceTableModel::FormatColumn), "csv"));
    QVERIFY(model->setData(model->index(4, SourceTableModel::OriginColumn), "local copy"));
    QVERIFY(w.main->isWindowModified());

    const QString projectPath = dir.filePath("math.distill.json");
    QVERIFY(w.main->saveProjectAs(projectPath));
    QVERIFY(!w.main->isWindowModified());
    QVERIFY(w.main->windowTitle().startsWith("math.distill.json"));
    QVERIFY(w.prompts->errors.isEmpty());

    Window reopened = makeWindow();
    QVERIFY(reopened.main->openProject(projectPath));
    const Project project = reopened.main->project();
    const DomainPreset& math = *find_domain_preset("math");
    QCOMPARE(project.domain, std::string("math"));
    QCOMPARE(project.sources.size(), math.sources.size());
    for (size_t i = 0; i < math.sources.size(); ++i) {
        const SourceSpec& source = project.sources[i];
        QCOMPARE(source.name, math.sources[i].name);
        QCOMPARE(source.columns.question, math.sources[i].columns.question);
        QCOMPARE(source.columns.answer, math.sources[i].columns.answer);
        QCOMPARE(QString::fromStdString(project.resolved_path(source)), files[int(i)]);
    }
    QCOMPARE(project.sources[0].columns.question, std::string("question"));
    QCOMPARE(project.sources[1].columns.question, std::string("Problem"));
    QCOMPARE(project.sources[1].columns.answer, std::string("correct"));
    QVERIFY(project.sources[2].format == SourceFormat::Csv);
    QCOMPARE(project.sources[4].origin, std::string("local copy"));
    QVERIFY(project.on_bad_line == BadInputPolicy::Abort);
    QVERIFY(!reopened.main->isWindowModified());
    QVERIFY(reopened.prompts->errors.isEmpty());
}

void TestMainWindow::loadShowsCountsPerSource() {
    QTemporaryDir dir;
    const QStringList files = writeMathSources(dir.path());
    Window w = makeWindow();
    startFromMathPreset(w);
    setSourcePaths(*w.main, files);

    QVERIFY(loadAndWait(*w.main));
    QVERIFY2(w.prompts->errors.isEmpty(), qPrintable(w.prompts->errors.join('\n')));
    QVERIFY(w.main->corpus());
    QCOMPARE(w.main->corpus()->records.size(), size_t(8));
    QCOMPARE(w.main->corpus()->report.duplicates_replaced, size_t(1));

    auto* counts = w.main->findChild<QTableWidget*>("sourceCounts");
    QVERIFY(counts && counts->isVisibleTo(w.main.get()));
    QCOMPARE(counts->rowCount(), 5);
    const QStringList names = {"gsm8k", "math_qa", "TAL-SCQ5K-EN", "MetaMathQA", "MathInstruct"};
    const QStringList records = {"3", "2", "2", "1", "1"};
    for (int row = 0; row < 5; ++row) {
        QCOMPARE(cell(counts, row, 0), names[row]);
        QCOMPARE(cell(counts, row, 1), records[row]);
        QCOMPARE(cell(counts, row, 2), QString("0"));
    }
    const QString totals = w.main->findChild<QLabel*>("corpusTotals")->text();
    QVERIFY2(totals.contains("8 records") && totals.contains("1 duplicate") && totals.contains("0 lines skipped"),
             qPrintable(totals));
    QVERIFY(!w.main->findChild<QListWidget*>("problems")->isVisibleTo(w.main.get()));
}

void TestMainWindow::cancelLeavesWindowUsable() {
    QTemporaryDir dir;
    // Several large sources, so the load is still reading when Cancel lands.
    constexpr int kLines = 40000;
    QByteArray big;
    for (int i = 0; i < kLines; ++i)
        big += "{\"question\": \"Question number " + QByteArray::number(i) + " about apples?\", \"answer\": \"" +
               QByteArray::number(i) + "\"}\n";
    Project project;
    project.domain = "custom";
    for (int s = 0; s < 4; ++s) {
        const QString path = dir.filePath(QString("big%1.jsonl").arg(s));
        writeFile(path, big);
        SourceSpec source;
        source.name = QString("big%1").arg(s).toStdString();
        source.path = path.toStdString();
        project.sources.push_back(source);
    }
    const QString projectPath = dir.filePath("big.distill.json");
    save_project(project, projectPath.toStdString());

    Window w = makeWindow();
    w.main->show();
    QVERIFY(w.main->openProject(projectPath));
    QSignalSpy finished(w.main.get(), &MainWindow::corpusLoadFinished);
    w.main->findChild<QAction*>("loadCorpus")->trigger();
    QVERIFY(w.main->isCorpusLoading());
    QVERIFY(!w.main->findChild<QAction*>("loadCorpus")->isEnabled());
    QVERIFY(!w.main->findChild<ProjectView*>()->isEnabled());
    auto* cancel = w.main->findChild<QPushButton*>("cancelLoad");
    QVERIFY(cancel && cancel->isVisible() && cancel->isEnabled());
    QTest::mouseClick(cancel, Qt::LeftButton);
    QVERIFY(!cancel->isEnabled());  // pressed once; the worker stops at its next check
    QVERIFY(finished.wait(30000));
    QCOMPARE(finished.first().first().toBool(), false);

    QVERIFY(!w.main->isCorpusLoading());
    QVERIFY(!w.main->corpus());
    QVERIFY(w.main->findChild<QAction*>("loadCorpus")->isEnabled());
    QVERIFY(w.main->findChild<ProjectView*>()->isEnabled());
    QVERIFY(!cancel->isVisible());
    QVERIFY(w.prompts->errors.isEmpty());
    QVERIFY(w.prompts->badLineMessages.isEmpty());

    // The same window loads fine afterwards: all four files hold one set of questions.
    QVERIFY(loadAndWait(*w.main));
    QCOMPARE(w.main->corpus()->records.size(), size_t(kLines));
    QCOMPARE(w.main->corpus()->report.duplicates_replaced, size_t(3 * kLines));
}

void TestMainWindow::badLineSkipReloadsAndStoresPolicy() {
    QTemporaryDir dir;
    Window w = makeWindow();
    QVERIFY(w.main->openProject(writeProjectWithBadLine(dir.path())));
    w.prompts->badLineAnswer = BadLineChoice::SkipBadLines;

    QVERIFY(loadAndWait(*w.main));
    QCOMPARE(w.prompts->badLineMessages.size(), 1);
    QVERIFY2(w.prompts->badLineMessages.first().contains("broken.jsonl:2"),
             qPrintable(w.prompts->badLineMessages.first()));
    QVERIFY(w.main->project().on_bad_line == BadInputPolicy::Skip);
    QVERIFY(w.main->isWindowModified());  // the choice is saved with the project

    QCOMPARE(w.main->corpus()->records.size(), size_t(2));
    QCOMPARE(w.main->corpus()->report.skipped(), size_t(1));
    auto* counts = w.main->findChild<QTableWidget*>("sourceCounts");
    QCOMPARE(cell(counts, 0, 1), QString("2"));
    QCOMPARE(cell(counts, 0, 2), QString("1"));
    auto* problems = w.main->findChild<QListWidget*>("problems");
    QVERIFY(problems->isVisibleTo(w.main.get()));
    QCOMPARE(problems->count(), 1);
    QVERIFY2(problems->item(0)->text().contains("broken.jsonl:2"), qPrintable(problems->item(0)->text()));

    // Under Skip the next load does not ask again.
    QVERIFY(loadAndWait(*w.main));
    QCOMPARE(w.prompts->badLineMessages.size(), 1);
}

void TestMainWindow::badLineAbortLoadsNothing() {
    QTemporaryDir dir;
    Window w = makeWindow();
    QVERIFY(w.main->openProject(writeProjectWithBadLine(dir.path())));
    w.prompts->badLineAnswer = BadLineChoice::Abort;

    QVERIFY(!loadAndWait(*w.main));
    QCOMPARE(w.prompts->badLineMessages.size(), 1);
    QVERIFY(w.prompts->badLineMessages.first().contains("broken.jsonl:2"));
    QVERIFY(!w.main->corpus());
    QVERIFY(w.main->project().on_bad_line == BadInputPolicy::Abort);
    QVERIFY(!w.main->isWindowModified());
    QVERIFY(w.main->findChild<QAction*>("loadCorpus")->isEnabled());
}

void TestMainWindow::missingFileIsReportedBeforeLoading() {
    Window w = makeWindow();
    startFromMathPreset(w);
    QAbstractItemModel* model = sourcesModel(*w.main);
    QVERIFY(model->setData(model->index(0, SourceTableModel::PathColumn), "/nonexistent/gsm8k.jsonl"));

    QVERIFY(!loadAndWait(*w.main));
    QCOMPARE(w.prompts->errors.size(), 1);
    const QString error = w.prompts->errors.first();
    QVERIFY2(error.contains("gsm8k: file not found: /nonexistent/gsm8k.jsonl"), qPrintable(error));
    QVERIFY2(error.contains("math_qa: no file chosen"), qPrintable(error));
    QVERIFY(!w.main->isCorpusLoading());
}

void TestMainWindow::unsavedChangesAreGuarded() {
    Window w = makeWindow();
    w.main->show();
    QVERIFY(!w.main->isWindowModified());
    startFromMathPreset(w);
    QVERIFY(w.main->isWindowModified());
    QVERIFY(w.main->windowTitle().contains("[*]"));

    w.prompts->unsavedAnswer = UnsavedChangesChoice::Cancel;
    QVERIFY(!w.main->close());
    QVERIFY(w.main->isVisible());
    QCOMPARE(w.prompts->unsavedQuestions, 1);

    // Selecting another preset once the project has sources asks nothing:
    // the list only describes presets then.
    auto* presets = w.main->findChild<QListWidget*>("domainPresets");
    presets->setCurrentItem(presets->findItems("science", Qt::MatchExactly).first());
    QCOMPARE(w.prompts->presetOffers.size(), 1);
    QCOMPARE(w.main->project().domain, std::string("math"));

    w.prompts->unsavedAnswer = UnsavedChangesChoice::Discard;
    QVERIFY(w.main->close());
    QCOMPARE(w.prompts->unsavedQuestions, 2);
}

QTEST_MAIN(TestMainWindow)
#include "test_main_window.moc"

// Alt+letter must reach one control: a letter claimed twice on a tab (or by
// a tab's field and a menu) only moves the focus between them.
void TestMainWindow::mnemonicsAreUniqueOnEveryTab() {
    Window w = makeWindow();
    QMap<QChar, QString> menus;
    for (QAction* menu : w.main->menuBar()->actions())
        if (const QChar letter = mnemonicOf(menu->text()); !letter.isNull()) menus.insert(letter, menu->text());
    QCOMPARE(menus.size(), 3);  // File, Corpus, Help
    auto* tabs = w.main->findChild<QTabWidget*>("tabs");
    for (int tab = 0; tab < tabs->count(); ++tab) {
        QCOMPARE(mnemonicOf(tabs->tabText(tab)), QChar());  // tabs are Ctrl+1..4
        QMap<QChar, QString> claimed = menus;
        QStringList texts;
        // The tab's own widgets: not a dialog it owns (Replace Shot's), a window of its own.
        for (auto* label : tabs->widget(tab)->findChildren<QLabel*>())
            if (label->window() == w.main.get()) texts << label->text();
        for (auto* button : tabs->widget(tab)->findChildren<QAbstractButton*>())
            if (button->window() == w.main.get()) texts << button->text();
        for (const QString& text : texts) {
            const QChar letter = mnemonicOf(text);
            if (letter.isNull()) continue;
            QVERIFY2(!claimed.contains(letter), qPrintable(QString("%1: '%2' and '%3' both take Alt+%4")
                                                                .arg(tabs->tabText(tab), claimed.value(letter), text, letter)));
            claimed.insert(letter, text);
        }
    }
    // Inside each menu (and submenu), a letter picks one item.
    for (QMenu* menu : w.main->menuBar()->findChildren<QMenu*>()) {
        emit menu->aboutToShow();  // Open Recent fills itself here
        QMap<QChar, QString> claimed;
        for (QAction* action : menu->actions()) {
            const QChar letter = mnemonicOf(action->text());
            if (letter.isNull()) continue;
            QVERIFY2(!claimed.contains(letter), qPrintable(QString("%1: '%2' and '%3' both take %4")
                                                                .arg(menu->title(), claimed.value(letter),
                                                                     action->text(), letter)));
            claimed.insert(letter, action->text());
        }
    }
}

// File → Open Recent lists the projects opened or saved, newest first; one
// whose file is gone is listed but not offered; Clear Menu forgets them.
void TestMainWindow::openRecentListsProjectsNewestFirst() {
    settings_.clear();
    QTemporaryDir dir;
    Window w = makeWindow();
    const auto listed = [&] {
        auto* menu = w.main->findChild<QMenu*>("recentProjects");
        emit menu->aboutToShow();
        QList<QAction*> projects;
        for (QAction* action : menu->actions())
            if (action->data().isValid()) projects << action;
        return projects;
    };
    QVERIFY(listed().isEmpty());
    startFromMathPreset(w);
    const QString first = dir.filePath("first.distill.json"), second = dir.filePath("second.distill.json");
    QVERIFY(w.main->saveProjectAs(first));
    QVERIFY(w.main->saveProjectAs(second));
    QList<QAction*> recent = listed();
    QCOMPARE(recent.size(), 2);
    QCOMPARE(recent[0]->data().toString(), second);
    QCOMPARE(recent[1]->data().toString(), first);
    QVERIFY(recent[1]->text().contains("first.distill.json"));

    recent[1]->trigger();  // opens it, and it becomes the newest
    QVERIFY(w.main->windowTitle().startsWith("first.distill.json"));
    recent = listed();
    QCOMPARE(recent[0]->data().toString(), first);

    QVERIFY(QFile::remove(second));
    recent = listed();
    QCOMPARE(recent.size(), 2);
    QVERIFY(recent[0]->isEnabled());
    QVERIFY(!recent[1]->isEnabled());

    auto* menu = w.main->findChild<QMenu*>("recentProjects");
    for (QAction* action : menu->actions())
        if (action->text().remove('&') == "Clear Menu") action->trigger();
    QVERIFY(listed().isEmpty());
}
