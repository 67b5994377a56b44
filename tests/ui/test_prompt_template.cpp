// The prompt-template editor of the Few-Shots & Prompt tab, driven as a
// curator would on the real demo project with the real Llama-2 tokenizer:
// the preview and its token count follow every edit, saving writes the
// template beside the project and points pipeline.prompt at it, the next
// run formats with it (and `distill format` gives the same bytes), a bad
// placeholder gets a clear message, and unsaved template edits are neither
// run nor lost. Save Template As… writes a file of the curator's choosing
// and points the project at it; cancelled or failed, it changes nothing.
#include <QAction>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextDocument>

#include <filesystem>
#include <fstream>

#include <qcustomplot.h>

#include "demo_run.h"
#include "distill/format.h"
#include "distill/llm_tokenizer.h"
#include "distill/pipeline.h"
#include "distill/project.h"
#include "fewshot_view.h"
#include "isolated_settings.h"
#include "main_window.h"
#include "prompt_template_editor.h"
#include "scripted_prompts.h"
#include "support/test_support.h"

using namespace distill;
using namespace distill::ui;

namespace {

const QString kMathQuery = QStringLiteral("Q: {question}\nA:");
const QString kEditedQuery = QStringLiteral("Question: {question}\nThink step by step.\nAnswer:");

QPlainTextEdit* queryField(MainWindow& window) { return window.findChild<QPlainTextEdit*>("templateQuery"); }
PromptTemplateEditor* editor(MainWindow& window) { return window.findChild<PromptTemplateEditor*>(); }
QString preview(MainWindow& window) { return window.findChild<QPlainTextEdit*>("renderedPrompt")->toPlainText(); }
QString tokenLine(MainWindow& window) { return window.findChild<QLabel*>("tokenCount")->text(); }
// The count the preview shows: "N tokens (max M), K shots used".
int shownTokens(MainWindow& window) { return tokenLine(window).section(' ', 0, 0).toInt(); }
QString firstOrigin(MainWindow& window) { return window.findChild<QListWidget*>("origins")->item(0)->text(); }
QString fewShotTabText(MainWindow& window) {
    auto* tabs = window.findChild<QTabWidget*>("tabs");
    return tabs->tabText(tabs->indexOf(window.findChild<FewShotView*>()));
}

// A preset as its JSON text, to compare two presets field by field.
std::string jsonOf(const PromptPreset& preset) { return to_json(preset).dump(); }

QAction* newProjectAction(MainWindow& window) {
    for (QAction* action : window.findChildren<QAction*>())
        if (action->text() == "&New Project") return action;
    return nullptr;
}

// The whole file, to compare two raw outputs byte for byte.
QByteArray contents(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

}  // namespace

class TestPromptTemplate : public QObject {
    Q_OBJECT
    IsolatedSettings settings_;  // the recent projects, the export folders: not the user's
private slots:
    void initTestCase();
    void startsFromTheProjectsPreset();
    void previewFollowsEditsAndTheSavedTemplateRuns();
    void badPlaceholdersAndDropsAreExplained();
    void unsavedTemplateIsNotLostOnSwitchOrClose();
    void aPresetFileIsEditedInPlace();
    void saveTemplateAsWritesTheChosenFile();
    void saveTemplateAsCancelledOrFailedChangesNothing();

private:
    std::unique_ptr<SentencePieceTokenizer> tokenizer_;
};

void TestPromptTemplate::initTestCase() {
    QVERIFY2(QFileInfo(tokenizerPath()).isFile(), "set DISTILL_LLAMA_TOKENIZER to the Llama-2 tokenizer.model");
    tokenizer_ = std::make_unique<SentencePieceTokenizer>(tokenizerPath().toStdString());
}

void TestPromptTemplate::startsFromTheProjectsPreset() {
    QTemporaryDir dir;
    Window w = makeWindow();
    // A new project has no domain, so no template yet.
    QVERIFY(!editor(*w.main)->hasTemplate());
    QVERIFY(!queryField(*w.main)->isEnabled());

    QVERIFY(w.main->openProject(copyDemoProject(dir.path())));
    QVERIFY(editor(*w.main)->hasTemplate());
    QVERIFY(!editor(*w.main)->isModified());
    QCOMPARE(queryField(*w.main)->toPlainText(), kMathQuery);
    QCOMPARE(w.main->findChild<QPlainTextEdit*>("templateShot")->toPlainText(),
             QString("Q: {question}\nA: {answer}\n\n"));
    QCOMPARE(w.main->findChild<QSpinBox*>("templateWordBudget")->value(), 1500);
    QCOMPARE(w.main->findChild<QLabel*>("templateStatus")->text(), QString("The built-in math preset"));
    QVERIFY(w.main->findChild<QLabel*>("templateSourceRules")->text().startsWith("math_qa, metamathqa"));
    QVERIFY(!w.main->findChild<QPushButton*>("saveTemplate")->isEnabled());
    QCOMPARE(tokenLine(*w.main), QString("Run the pipeline to see the prompts."));

    // Naming another preset in the Run tab shows that one.
    w.main->findChild<QComboBox*>("prompt")->setCurrentText("cnn");
    QVERIFY(queryField(*w.main)->toPlainText().startsWith("###\nArticle: {question}"));
    QCOMPARE(w.main->findChild<QComboBox*>("templateFit")->currentText(), QString("by tokens (the reference's cnn)"));
    QVERIFY(!editor(*w.main)->isModified());
}

void TestPromptTemplate::previewFollowsEditsAndTheSavedTemplateRuns() {
    QTemporaryDir dir;
    const QString projectPath = copyDemoProject(dir.path());
    Window w = makeWindow();
    QVERIFY(w.main->openProject(projectPath));
    const QString out = dir.filePath("out");
    w.main->setOutputDir(out);
    QVERIFY2(runAndWait(*w.main), qPrintable(w.prompts->errors.join('\n')));

    // The preview is the prompt as the run's tokenizer counts it.
    const QString origin = firstOrigin(*w.main);
    QVERIFY(preview(*w.main).contains("Q: " + origin + "\nA:"));
    const int before = shownTokens(*w.main);
    QCOMPARE(std::size_t(before), tokenizer_->encode(preview(*w.main).toStdString(), false, true).size());
    // Drawn in lit-gpt's parts: the output, what training learns, shaded
    // (the end: the origin's answer), and why the math preset's instruction,
    // which only multiple-choice shots turn on, is absent.
    QString shaded;
    const QTextDocument* document = w.main->findChild<QPlainTextEdit*>("renderedPrompt")->document();
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next())
        for (auto fragment = block.begin(); !fragment.atEnd(); ++fragment)
            if (fragment.fragment().charFormat().background().style() != Qt::NoBrush)
                shaded += fragment.fragment().text();
    QVERIFY(!shaded.isEmpty() && !shaded.contains(origin));
    QVERIFY(QString(preview(*w.main)).remove('\n').endsWith(shaded));
    QVERIFY2(tokenLine(*w.main).contains("no instruction: the last shot looked at lacks"), qPrintable(tokenLine(*w.main)));

    QSignalSpy lengthsShown(w.main->findChild<FewShotView*>(), &FewShotView::editedLengthsShown);
    queryField(*w.main)->setPlainText(kEditedQuery);
    QVERIFY(preview(*w.main).contains("Question: " + origin + "\nThink step by step.\nAnswer:"));
    // Every origin formatted again in the background: a line over the run's
    // histogram, of as many prompts as the origins the formatter keeps, and
    // longer ones (the edited query has more words) than the run exported.
    QVERIFY(lengthsShown.wait(60000));
    auto* histogram = w.main->findChild<QCustomPlot*>("tokenLengths");
    QCPGraph* edited = nullptr;
    for (int g = 0; g < histogram->graphCount(); ++g)
        if (histogram->graph(g)->name() == "As edited") edited = histogram->graph(g);
    QVERIFY(edited);
    double prompts = 0, tokens = 0;
    for (const QCPGraphData& bin : *edited->data()) prompts += bin.value, tokens += bin.value * bin.key;
    const QString summary = w.main->findChild<QLabel*>("editedLengths")->text();
    const int origins = w.main->findChild<QListWidget*>("origins")->count();
    const int dropped = summary.section('(', 1).section(' ', 0, 0).toInt();
    QVERIFY2(summary.startsWith(QString("Orange: the %1 prompts as edited now (").arg(int(prompts))), qPrintable(summary));
    QCOMPARE(int(prompts) + dropped, origins);
    QFile manifest(out + "/manifest.json");
    QVERIFY(manifest.open(QIODevice::ReadOnly));
    const double runMean = QJsonDocument::fromJson(manifest.readAll())["token_lengths"]["mean"].toDouble();
    QVERIFY2(tokens / prompts > runMean, qPrintable(QString("%1 vs %2").arg(tokens / prompts).arg(runMean)));
    QVERIFY(!preview(*w.main).contains("Q: " + origin + "\nA:"));
    const int after = shownTokens(*w.main);
    QCOMPARE(std::size_t(after), tokenizer_->encode(preview(*w.main).toStdString(), false, true).size());
    QVERIFY2(after > before, qPrintable(tokenLine(*w.main)));
    // Keystroke by keystroke.
    QTest::keyClick(queryField(*w.main), Qt::Key_End, Qt::ControlModifier);
    QTest::keyClicks(queryField(*w.main), " (show your work)");
    QVERIFY(preview(*w.main).contains("\nAnswer: (show your work)"));
    for (int i = 0; i < int(QString(" (show your work)").size()); ++i)
        QTest::keyClick(queryField(*w.main), Qt::Key_Backspace);
    QCOMPARE(queryField(*w.main)->toPlainText(), kEditedQuery);
    QCOMPARE(shownTokens(*w.main), after);

    // Unsaved, and it says so.
    QVERIFY(editor(*w.main)->isModified());
    QVERIFY(w.main->isWindowModified());
    QVERIFY(fewShotTabText(*w.main).endsWith('*'));
    QVERIFY(w.main->findChild<QLabel*>("templateStatus")->text().contains("Unsaved changes"));
    // A run would format with the saved template: it asks, and Keep Editing
    // starts nothing and saves nothing.
    const qsizetype errorsBefore = w.prompts->errors.size();
    QVERIFY(!runAndWait(*w.main));
    QCOMPARE(w.prompts->saveTemplateAndRunQuestions, 1);
    QCOMPARE(w.prompts->errors.size(), errorsBefore);
    QVERIFY(editor(*w.main)->isModified());

    w.main->findChild<QPushButton*>("saveTemplate")->click();
    QVERIFY(!editor(*w.main)->isModified());
    QVERIFY(!w.main->isWindowModified());
    QVERIFY(!fewShotTabText(*w.main).endsWith('*'));
    const QString templatePath = dir.filePath("demo.prompt.json");
    QCOMPARE(w.main->findChild<QLabel*>("templateStatus")->text(), QDir::toNativeSeparators(templatePath));
    const PromptPreset saved = load_prompt_preset(templatePath.toStdString());
    QCOMPARE(jsonOf(saved), jsonOf(editor(*w.main)->preset()));
    QCOMPARE(QString::fromStdString(saved.prompt.query), kEditedQuery);
    QCOMPARE(saved.prompt.shot, find_prompt_preset("math")->prompt.shot);
    QCOMPARE(saved.source_rules, find_prompt_preset("math")->source_rules);
    const Project project = load_project(projectPath.toStdString());
    QCOMPARE(project.pipeline.prompt, std::string("demo.prompt.json"));
    QCOMPARE(jsonOf(prompt_preset_of(project)), jsonOf(saved));

    // The next run formats with it and reuses everything before the format.
    QVERIFY2(runAndWait(*w.main), qPrintable(w.prompts->errors.join('\n')));
    QCOMPARE(stageStates(*w.main),
             QStringList({"done", "cached", "cached", "cached", "cached", "cached", "done", "done"}));
    const auto rows = test::read_jsonl(std::filesystem::path(out.toStdString()) / "math_prompt_data.jsonl");
    QVERIFY(!rows.empty());
    for (const auto& row : rows) {
        const std::string input = row["input"].get<std::string>();
        QVERIFY2(input.ends_with("\nAnswer:") && input.find("Question: ") != std::string::npos, input.c_str());
    }
    QVERIFY(preview(*w.main).contains("Question: " + firstOrigin(*w.main) + "\nThink step by step.\nAnswer:"));

    // `distill format --preset FILE` writes exactly what the run did.
    const QString cliOutput = dir.filePath("cli_prompt_data.jsonl");
    QProcess cli;
    cli.start(DISTILL_BINARY_DIR "/bin/distill",
              {"format", "--preset", templatePath, "--input", out + "/math_fewshot.jsonl", "--output", cliOutput,
               "--tokenizer", tokenizerPath(), "--max-seq-len", "2048"});
    QVERIFY(cli.waitForFinished(60000));
    QCOMPARE(cli.exitCode(), 0);
    QCOMPARE(contents(cliOutput), contents(out + "/math_prompt_data.jsonl"));

    // Edited again, Run answered with Save and Run: saved, then run with it.
    QTest::keyClick(queryField(*w.main), Qt::Key_End, Qt::ControlModifier);
    QTest::keyClicks(queryField(*w.main), " Go.");
    QVERIFY(editor(*w.main)->isModified());
    w.prompts->saveTemplateAndRunAnswer = true;
    QVERIFY2(runAndWait(*w.main), qPrintable(w.prompts->errors.join('\n')));
    QCOMPARE(w.prompts->saveTemplateAndRunQuestions, 2);
    QVERIFY(!editor(*w.main)->isModified());
    QCOMPARE(QString::fromStdString(load_prompt_preset(templatePath.toStdString()).prompt.query), kEditedQuery + " Go.");
    QVERIFY(contents(out + "/math_prompt_data.jsonl").contains("Answer: Go."));
}

void TestPromptTemplate::badPlaceholdersAndDropsAreExplained() {
    QTemporaryDir dir;
    Window w = makeWindow();
    QVERIFY(w.main->openProject(copyDemoProject(dir.path())));
    w.main->setOutputDir(dir.filePath("out"));
    QVERIFY(runAndWait(*w.main));
    auto* warnings = w.main->findChild<QLabel*>("templateWarnings");
    QVERIFY(warnings->isHidden());

    // A field the record does not have: core's message, no prompt.
    queryField(*w.main)->setPlainText("Q: {questoin}\nA:");
    QVERIFY2(tokenLine(*w.main).contains("{questoin}") && tokenLine(*w.main).contains("no field"),
             qPrintable(tokenLine(*w.main)));
    QVERIFY(preview(*w.main).isEmpty());

    // A record the template drops shows why.
    queryField(*w.main)->setPlainText(kMathQuery);
    w.main->findChild<QSpinBox*>("templateWordBudget")->setValue(3);
    QCOMPARE(tokenLine(*w.main), QString("The formatter drops this origin: %1")
                                     .arg(QString::fromStdString(to_string(DropReason::QueryOverWordBudget))));
    QVERIFY(preview(*w.main).isEmpty());

    // Braces that look like a placeholder but are not one are written as
    // is, and the tab says so.
    queryField(*w.main)->setPlainText("Q: {question\nA:");
    QVERIFY(!warnings->isHidden());
    QVERIFY2(warnings->text().startsWith("Query: \"{question\" has no closing"), qPrintable(warnings->text()));
    QVERIFY(preview(*w.main).contains("Q: {question\nA:"));

    // Revert goes back to what is saved.
    w.main->findChild<QPushButton*>("revertTemplate")->click();
    QCOMPARE(queryField(*w.main)->toPlainText(), kMathQuery);
    QCOMPARE(w.main->findChild<QSpinBox*>("templateWordBudget")->value(), 1500);
    QVERIFY(!editor(*w.main)->isModified());
    QVERIFY(warnings->isHidden());
    QVERIFY(preview(*w.main).contains("Q: " + firstOrigin(*w.main) + "\nA:"));
}

void TestPromptTemplate::unsavedTemplateIsNotLostOnSwitchOrClose() {
    QTemporaryDir dir;
    const QString projectPath = copyDemoProject(dir.path());
    const QString templatePath = dir.filePath("demo.prompt.json");
    Window w = makeWindow();
    QVERIFY(w.main->openProject(projectPath));
    queryField(*w.main)->setPlainText(kEditedQuery);

    // Closing asks; Cancel keeps the window and the edit.
    w.prompts->unsavedAnswer = UnsavedChangesChoice::Cancel;
    QVERIFY(!w.main->close());
    QCOMPARE(w.prompts->unsavedQuestions, 1);
    QCOMPARE(queryField(*w.main)->toPlainText(), kEditedQuery);

    // Switching to a new project asks too; Save writes the template.
    w.prompts->unsavedAnswer = UnsavedChangesChoice::Save;
    newProjectAction(*w.main)->trigger();
    QCOMPARE(w.prompts->unsavedQuestions, 2);
    QVERIFY(!editor(*w.main)->hasTemplate());
    QCOMPARE(QString::fromStdString(load_prompt_preset(templatePath.toStdString()).prompt.query), kEditedQuery);
    QCOMPARE(load_project(projectPath.toStdString()).pipeline.prompt, std::string("demo.prompt.json"));

    // Discard leaves the saved file as it was.
    QVERIFY(w.main->openProject(projectPath));
    QCOMPARE(queryField(*w.main)->toPlainText(), kEditedQuery);
    queryField(*w.main)->setPlainText("Discarded: {question}");
    w.prompts->unsavedAnswer = UnsavedChangesChoice::Discard;
    newProjectAction(*w.main)->trigger();
    QCOMPARE(w.prompts->unsavedQuestions, 3);
    QCOMPARE(QString::fromStdString(load_prompt_preset(templatePath.toStdString()).prompt.query), kEditedQuery);
}

void TestPromptTemplate::aPresetFileIsEditedInPlace() {
    QTemporaryDir dir;
    // A project whose pipeline.prompt names a preset file of its own.
    Project project = load_project(copyDemoProject(dir.path()).toStdString());
    PromptPreset house = *find_prompt_preset("math");
    house.name = "house";
    house.prompt.instruction = "Solve.\n";
    house.prompt.instruction_trigger = "";
    const QString housePath = dir.filePath("house.json");
    std::ofstream(housePath.toStdString()) << to_json(house).dump(2);
    project.pipeline.prompt = "house.json";
    const QString projectPath = dir.filePath("house.distill.json");
    save_project(project, projectPath.toStdString());

    Window w = makeWindow();
    QVERIFY(w.main->openProject(projectPath));
    QCOMPARE(w.main->findChild<QPlainTextEdit*>("templateInstruction")->toPlainText(), QString("Solve.\n"));
    QCOMPARE(w.main->findChild<QLabel*>("templateStatus")->text(), QDir::toNativeSeparators(housePath));
    queryField(*w.main)->setPlainText(kEditedQuery);
    QVERIFY(w.main->saveProjectAs(projectPath));
    const PromptPreset saved = load_prompt_preset(housePath.toStdString());
    QCOMPARE(saved.name, std::string("house"));
    QCOMPARE(QString::fromStdString(saved.prompt.query), kEditedQuery);
    QCOMPARE(saved.prompt.instruction, std::string("Solve.\n"));
    QCOMPARE(load_project(projectPath.toStdString()).pipeline.prompt, std::string("house.json"));
    QVERIFY(!QFileInfo::exists(dir.filePath("house.prompt.json")));

    // Saved into another folder, the project still names the same file.
    QVERIFY(QDir(dir.path()).mkdir("elsewhere"));
    const QString movedPath = dir.filePath("elsewhere/house.distill.json");
    QVERIFY(w.main->saveProjectAs(movedPath));
    const Project moved = load_project(movedPath.toStdString());
    QCOMPARE(QString::fromStdString(moved.pipeline.prompt), QFileInfo(housePath).absoluteFilePath());
    QCOMPARE(jsonOf(prompt_preset_of(moved)), jsonOf(saved));

    // A path the curator picks in the Run tab keeps the unsaved edits, even
    // though no file is there yet, and saving writes the template there.
    queryField(*w.main)->setPlainText("Picked: {question}");
    const QString picked = dir.filePath("picked.json");
    w.main->findChild<QComboBox*>("prompt")->setCurrentText(picked);
    QVERIFY(editor(*w.main)->isModified());
    QCOMPARE(queryField(*w.main)->toPlainText(), QString("Picked: {question}"));
    QVERIFY(w.main->saveProjectAs(movedPath));
    QCOMPARE(QString::fromStdString(load_prompt_preset(picked.toStdString()).prompt.query),
             QString("Picked: {question}"));
    QCOMPARE(QString::fromStdString(load_project(movedPath.toStdString()).pipeline.prompt),
             QFileInfo(picked).absoluteFilePath());
    QCOMPARE(QString::fromStdString(load_prompt_preset(housePath.toStdString()).prompt.query), kEditedQuery);

    // One that cannot be written is reported and the edit kept.
    queryField(*w.main)->setPlainText("Q: {question}\nA (unsaved):");
    const QString nowhere = dir.filePath("nowhere/house.json");
    w.main->findChild<QComboBox*>("prompt")->setCurrentText(nowhere);
    QVERIFY(editor(*w.main)->isModified());
    QCOMPARE(queryField(*w.main)->toPlainText(), QString("Q: {question}\nA (unsaved):"));
    QVERIFY(w.main->findChild<QLabel*>("templateStatus")->text().contains("no such preset or file"));
    QVERIFY(!w.main->saveProjectAs(movedPath));
    QVERIFY2(w.prompts->errors.last().startsWith("Cannot save the prompt template") &&
                 w.prompts->errors.last().contains("does not exist"),
             qPrintable(w.prompts->errors.last()));
    QVERIFY(editor(*w.main)->isModified());
    QCOMPARE(QString::fromStdString(load_project(movedPath.toStdString()).pipeline.prompt),
             QFileInfo(picked).absoluteFilePath());
    QCOMPARE(QString::fromStdString(load_prompt_preset(picked.toStdString()).prompt.query),
             QString("Picked: {question}"));
}

void TestPromptTemplate::saveTemplateAsWritesTheChosenFile() {
    QTemporaryDir dir;
    const QString projectPath = copyDemoProject(dir.path());
    QVERIFY(QDir(dir.path()).mkdir("templates"));
    Window w = makeWindow();
    QVERIFY(w.main->openProject(projectPath));
    auto* saveAs = w.main->findChild<QPushButton*>("saveTemplateAs");
    auto* promptField = w.main->findChild<QComboBox*>("prompt");
    queryField(*w.main)->setPlainText(kEditedQuery);

    // Inside the project's folder: named relative to it, like a source.
    const QString shared = dir.filePath("templates/shared.prompt.json");
    w.prompts->templateSavePathAnswer = shared;
    saveAs->click();
    QVERIFY2(w.prompts->errors.isEmpty(), qPrintable(w.prompts->errors.join('\n')));
    // Offered where Save would have written it.
    QCOMPARE(w.prompts->templateSaveSuggestions, QStringList{dir.filePath("demo.prompt.json")});
    // The file is the preset as core reads it back, byte for byte.
    const PromptPreset saved = load_prompt_preset(shared.toStdString());
    QCOMPARE(contents(shared), QByteArray::fromStdString(to_json(saved).dump(2) + '\n'));
    QCOMPARE(QString::fromStdString(saved.prompt.query), kEditedQuery);
    QCOMPARE(saved.name, std::string("shared"));  // an edited built-in, named after its file
    QCOMPARE(saved.source_rules, find_prompt_preset("math")->source_rules);
    // The project names it, shows it and is saved with it; Save's own file is not written.
    QCOMPARE(promptField->currentText(), QString("templates/shared.prompt.json"));
    const Project project = load_project(projectPath.toStdString());
    QCOMPARE(project.pipeline.prompt, std::string("templates/shared.prompt.json"));
    QCOMPARE(jsonOf(prompt_preset_of(project)), jsonOf(saved));
    QVERIFY(!QFileInfo::exists(dir.filePath("demo.prompt.json")));
    QVERIFY(!w.main->isWindowModified());
    QVERIFY(!editor(*w.main)->isModified());
    QCOMPARE(jsonOf(editor(*w.main)->preset()), jsonOf(saved));
    QCOMPARE(w.main->findChild<QLabel*>("templateStatus")->text(), QDir::toNativeSeparators(shared));

    // A saved template copied outside the folder, to share: named by its
    // absolute path, and the project follows it.
    QTemporaryDir elsewhere;
    const QString outside = elsewhere.filePath("house.json");
    w.prompts->templateSavePathAnswer = outside;
    QVERIFY(saveAs->isEnabled());
    saveAs->click();
    QVERIFY2(w.prompts->errors.isEmpty(), qPrintable(w.prompts->errors.join('\n')));
    QCOMPARE(w.prompts->templateSaveSuggestions.last(), shared);
    // The copy is a new template: named after its file, so a run's summary
    // names the file it formats with; the rest as saved.
    PromptPreset copy = saved;
    copy.name = "house";
    QCOMPARE(jsonOf(load_prompt_preset(outside.toStdString())), jsonOf(copy));
    QCOMPARE(promptField->currentText(), QFileInfo(outside).absoluteFilePath());
    QCOMPARE(QString::fromStdString(load_project(projectPath.toStdString()).pipeline.prompt),
             QFileInfo(outside).absoluteFilePath());
    QVERIFY(!w.main->isWindowModified());
}

void TestPromptTemplate::saveTemplateAsCancelledOrFailedChangesNothing() {
    QTemporaryDir dir;
    const QString projectPath = copyDemoProject(dir.path());
    Window w = makeWindow();
    QVERIFY(w.main->openProject(projectPath));
    queryField(*w.main)->setPlainText(kEditedQuery);
    const QByteArray projectBefore = contents(projectPath);
    const QStringList filesBefore = QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot);
    // QCOMPARE returns from the lambda only; callers check currentTestFailed().
    const auto unchanged = [&] {
        QCOMPARE(contents(projectPath), projectBefore);
        QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot), filesBefore);
        QCOMPARE(w.main->findChild<QComboBox*>("prompt")->currentText(), QString());
        QCOMPARE(w.main->project().pipeline.prompt, std::string());
        QCOMPARE(queryField(*w.main)->toPlainText(), kEditedQuery);
        QVERIFY(editor(*w.main)->isModified());
        QVERIFY(w.main->isWindowModified());
    };

    // Cancel.
    w.prompts->templateSavePathAnswer.clear();
    w.main->findChild<QPushButton*>("saveTemplateAs")->click();
    QCOMPARE(w.prompts->templateSaveSuggestions.size(), 1);
    QVERIFY(w.prompts->errors.isEmpty());
    unchanged();
    if (QTest::currentTestFailed()) return;

    // A folder that does not exist: said, with the path.
    w.prompts->templateSavePathAnswer = dir.filePath("missing/shared.prompt.json");
    w.main->findChild<QPushButton*>("saveTemplateAs")->click();
    QCOMPARE(w.prompts->errors.size(), 1);
    QVERIFY2(w.prompts->errors.first().startsWith("Cannot save the prompt template") &&
                 w.prompts->errors.first().contains("missing"),
             qPrintable(w.prompts->errors.first()));
    unchanged();
}

QTEST_MAIN(TestPromptTemplate)
#include "test_prompt_template.moc"
