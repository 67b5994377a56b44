// "Replace Shot…" in the few-shot tab, driven as a curator would on the real
// demo project with the real Llama-2 tokenizer: choose another corpus
// question for a shot, see it and its prompt at once, save, and find it
// scored in the next run's few-shot file; the origin and its own shots
// cannot be chosen, and Cancel changes nothing.
#include <QDialogButtonBox>
#include <QElapsedTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QListWidget>
#include <QSignalSpy>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "demo_run.h"
#include "distill/corpus.h"
#include "distill/fewshot.h"
#include "distill/npy.h"
#include "distill/project.h"
#include "fewshot_view.h"
#include "isolated_settings.h"
#include "main_window.h"
#include "question_index.h"
#include "replacement_chooser.h"
#include "scripted_prompts.h"

using namespace distill;
using namespace distill::ui;

namespace {

QString qstring(const std::string& s) { return QString::fromStdString(s); }

// The demo run's window, its first origin shown.
struct RunWindow {
    QTemporaryDir dir;
    Window w = makeWindow();
    QString projectFile;
    QTableWidget* shots = nullptr;
    ReplacementChooser* chooser = nullptr;

    bool run() {
        projectFile = copyDemoProject(dir.path());
        if (!w.main->openProject(projectFile)) return false;
        w.main->setOutputDir(dir.filePath("out"));
        if (!runAndWait(*w.main)) return false;
        shots = w.main->findChild<QTableWidget*>("shots");
        chooser = w.main->findChild<ReplacementChooser*>();
        return shots && chooser && shots->rowCount() >= 3;
    }

    QString shotText(int row) const { return shots->item(row, FewShotView::QuestionColumn)->text(); }
    QString origin() const { return w.main->findChild<QListWidget*>("origins")->currentItem()->text(); }

    void pressReplace(int shot) {
        shots->selectRow(shot);
        w.main->findChild<QPushButton*>("replaceShot")->click();
    }
    void filter(const QString& text) const { chooser->findChild<QLineEdit*>("replacementFilter")->setText(text); }
    // Selects the listed question `question`; false when it is not listed.
    bool select(const QString& question) const {
        auto* list = chooser->findChild<QListView*>("replacementQuestions");
        for (int row = 0; row < list->model()->rowCount(); ++row) {
            const QModelIndex index = list->model()->index(row, 0);
            if (index.data(ReplacementChooser::QuestionRole).toString() == question) {
                list->setCurrentIndex(index);
                return true;
            }
        }
        return false;
    }
    QPushButton* button(QDialogButtonBox::StandardButton which) const {
        return chooser->findChild<QDialogButtonBox*>()->button(which);
    }
    QString status() const { return chooser->findChild<QLabel*>("replacementStatus")->text(); }
};

// A corpus question far from `origin` (the corpus's last rows, which the
// demo's first origin does not pick) and none of its shots.
std::string questionElsewhere(const Project& project, const std::set<std::string>& taken) {
    const Corpus corpus = pool_sources(project.resolved_sources(), project.on_bad_line);
    for (auto record = corpus.records.rbegin(); record != corpus.records.rend(); ++record)
        if (const auto question = (*record)["question"].get<std::string>(); !taken.count(question)) return question;
    return {};
}

QJsonObject lineOf(const QString& fewshotFile, const QString& origin) {
    QFile file(fewshotFile);
    if (!file.open(QIODevice::ReadOnly)) return {};
    for (const QByteArray& line : file.readAll().trimmed().split('\n')) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object["origin"].toObject()["question"].toString() == origin) return object;
    }
    return {};
}

}  // namespace

class TestReplaceShot : public QObject {
    Q_OBJECT
    IsolatedSettings settings_;  // the recent projects, the export folders: not the user's
private slots:
    void replacedShotShowsAtOnceAndReplays();
    void originAndItsShotsCannotBeChosen();
    void cancelChangesNothing();
    void nearestQuestionsComeFirst();
    void filterIsCaseInsensitiveSubstring();
    void filterKeepsUpWithSevenHundredThousandQuestions();
};

void TestReplaceShot::replacedShotShowsAtOnceAndReplays() {
    RunWindow r;
    QVERIFY2(r.run(), qPrintable(r.w.prompts->errors.join('\n')));
    const QString origin = r.origin();
    const QString replaced = r.shotText(2);
    std::set<std::string> taken{origin.toStdString()};
    for (int row = 0; row < r.shots->rowCount(); ++row) taken.insert(r.shotText(row).toStdString());
    const QString with = qstring(questionElsewhere(r.w.main->project(), taken));
    QVERIFY(!with.isEmpty());

    auto* prompt = r.w.main->findChild<QPlainTextEdit*>("renderedPrompt");
    QVERIFY(!prompt->toPlainText().contains(with.left(40)));

    // A pinned shot loses its pin when replaced, as the replay does.
    r.shots->selectRow(2);
    r.w.main->findChild<QPushButton*>("pinShot")->click();
    const auto pinned = [&](int row) {
        return r.shots->item(row, FewShotView::QuestionColumn)->data(FewShotView::PinnedRole).toBool();
    };
    QVERIFY(pinned(2));

    r.pressReplace(2);
    QVERIFY(r.chooser->isVisible());
    QVERIFY(r.chooser->findChild<QLabel*>("replacementTitle")->text().contains(QStringLiteral("shot 3")));
    // Typed in another case than the corpus's: the filter ignores case.
    r.filter(with.left(40).toUpper());
    QVERIFY(r.chooser->matchCount() >= 1);
    QVERIFY(r.select(with));
    QVERIFY2(r.button(QDialogButtonBox::Ok)->isEnabled(), qPrintable(r.status()));
    r.button(QDialogButtonBox::Ok)->click();
    QVERIFY(!r.chooser->isVisible());

    // In place at once, unscored until the next run, and in the preview.
    QCOMPARE(r.shotText(2), with);
    QVERIFY(!pinned(2));
    QCOMPARE(r.shots->item(2, FewShotView::ScoreColumn)->text(), QStringLiteral("—"));
    // The formatter's source rules rewrite a question's options, not its start.
    QVERIFY(prompt->toPlainText().contains(with.left(40)));
    QVERIFY(r.w.main->isWindowModified());
    const std::vector<FewShotEdit> edits = r.w.main->project().fewshot_edits;
    QCOMPARE(edits.size(), std::size_t(2));
    const FewShotEdit& edit = edits.back();
    QCOMPARE(int(edit.kind), int(FewShotEditKind::Replace));
    QCOMPARE(qstring(edit.origin), origin);
    QCOMPARE(qstring(edit.shot), replaced);
    QCOMPARE(qstring(edit.with), with);

    // Saved, reopened from disk and run again: the replay puts it there,
    // scored, and applies every edit.
    QVERIFY(r.w.main->saveProjectAs(r.projectFile));
    QCOMPARE(load_project(r.projectFile.toStdString()).fewshot_edits.size(), std::size_t(2));
    QVERIFY(r.w.main->openProject(r.projectFile));
    r.w.main->setOutputDir(r.dir.filePath("out"));
    QVERIFY(runAndWait(*r.w.main));
    const QJsonObject line = lineOf(r.dir.filePath("out/math_fewshot.jsonl"), origin);
    QCOMPARE(line["shot"].toArray()[2].toObject()["question"].toString(), with);
    const QJsonValue score = line["shot_scores"].toArray()[2];
    QVERIFY(score.isDouble());
    QVERIFY(score.toDouble() > -1.0 && score.toDouble() <= 1.0);
    QFile report(r.dir.filePath("out/fewshot_edits_report.json"));
    QVERIFY(report.open(QIODevice::ReadOnly));
    const QJsonObject replayed = QJsonDocument::fromJson(report.readAll()).object();
    QCOMPARE(replayed["unapplied"].toArray().size(), 0);
    QCOMPARE(replayed["applied"].toInt(), 2);
    QCOMPARE(r.shotText(2), with);
    QCOMPARE(r.shots->item(2, FewShotView::ScoreColumn)->text(), QString::number(score.toDouble(), 'f', 3));
}

void TestReplaceShot::originAndItsShotsCannotBeChosen() {
    RunWindow r;
    QVERIFY2(r.run(), qPrintable(r.w.prompts->errors.join('\n')));
    r.pressReplace(0);

    r.filter(r.origin());
    QVERIFY(r.select(r.origin()));
    QVERIFY(!r.button(QDialogButtonBox::Ok)->isEnabled());
    QVERIFY2(r.status().contains("origin itself"), qPrintable(r.status()));
    QVERIFY(!r.chooser->chosenRow());

    const QString otherShot = r.shotText(1);
    r.filter(otherShot);
    QVERIFY(r.select(otherShot));
    QVERIFY(!r.button(QDialogButtonBox::Ok)->isEnabled());
    QVERIFY2(r.status().contains("already one of this origin's shots"), qPrintable(r.status()));

    // Enter on an unchoosable question does not accept either.
    QTest::keyClick(r.chooser->findChild<QLineEdit*>("replacementFilter"), Qt::Key_Return);
    QVERIFY(r.chooser->isVisible());
    QVERIFY(r.w.main->project().fewshot_edits.empty());
}

// The natural replacement of a shot is the origin's next-nearest
// neighbour: the dialog lists the nearest questions first, by the cosine of
// the run's own vectors, and selects the nearest one not yet a shot. A
// question the curator picked before the ranking came stays picked.
void TestReplaceShot::nearestQuestionsComeFirst() {
    RunWindow r;
    QVERIFY2(r.run(), qPrintable(r.w.prompts->errors.join('\n')));
    // The run's vectors, read here, and the pooled corpus they embed.
    const Project project = r.w.main->project();
    const std::vector<Record> records = pool_sources(project.resolved_sources(), project.on_bad_line).records;
    QString vectors;
    for (const QFileInfo& file : QDir(r.dir.filePath("out/.distill-cache/embeddings")).entryInfoList({"*.npy"}))
        vectors = file.filePath();
    const Matrix embeddings = read_npy(vectors.toStdString());
    QCOMPARE(embeddings.rows, records.size());
    std::size_t origin = records.size();
    for (std::size_t row = 0; row < records.size(); ++row)
        if (qstring(records[row]["question"].get<std::string>()) == r.origin()) origin = row;
    QVERIFY(origin < records.size());
    const auto cosine = [&](std::size_t a, std::size_t b) {
        double dot = 0, na = 0, nb = 0;
        for (std::size_t c = 0; c < embeddings.cols; ++c) {
            dot += double(embeddings.row(a)[c]) * embeddings.row(b)[c];
            na += double(embeddings.row(a)[c]) * embeddings.row(a)[c];
            nb += double(embeddings.row(b)[c]) * embeddings.row(b)[c];
        }
        return dot / std::sqrt(na * nb);
    };
    std::vector<std::size_t> order(records.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    order.erase(order.begin() + std::ptrdiff_t(origin));
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return cosine(origin, a) > cosine(origin, b); });

    QSignalSpy ranked(r.chooser, &ReplacementChooser::rankingShown);
    r.pressReplace(0);
    QVERIFY(ranked.wait());
    auto* list = r.chooser->findChild<QListView*>("replacementQuestions");
    std::set<QString> shots;
    for (int row = 0; row < r.shots->rowCount(); ++row) shots.insert(r.shotText(row));
    QString firstFree;
    std::map<QString, std::size_t> rowOf;
    for (std::size_t row = 0; row < records.size(); ++row) rowOf[qstring(records[row]["question"].get<std::string>())] = row;
    for (int i = 0; i < 10; ++i) {
        const QModelIndex index = list->model()->index(i, 0);
        const QString listed = index.data(ReplacementChooser::QuestionRole).toString();
        const double shown = index.data().toString().section(' ', 0, 0).toDouble();
        // The score shown (3 decimals) is the question's, and it is the i-th
        // best (equal cosines may come in either order).
        QVERIFY2(std::abs(cosine(origin, rowOf.at(listed)) - shown) < 6e-4, qPrintable(index.data().toString()));
        QVERIFY2(std::abs(cosine(origin, order[std::size_t(i)]) - shown) < 6e-4, qPrintable(QString::number(i)));
        if (firstFree.isEmpty() && !shots.count(listed)) firstFree = listed;
    }
    QVERIFY(!firstFree.isEmpty());
    QCOMPARE(list->currentIndex().data(ReplacementChooser::QuestionRole).toString(), firstFree);
    QVERIFY2(r.status().contains("nearest questions come first"), qPrintable(r.status()));
    r.button(QDialogButtonBox::Cancel)->click();

    // Picked by hand before the ranking arrives: kept.
    std::set<std::string> taken{r.origin().toStdString()};
    for (const QString& shot : shots) taken.insert(shot.toStdString());
    const QString elsewhere = qstring(questionElsewhere(project, taken));
    ranked.clear();
    r.pressReplace(1);
    QVERIFY(r.select(elsewhere));
    QVERIFY(ranked.wait());
    QCOMPARE(list->currentIndex().data(ReplacementChooser::QuestionRole).toString(), elsewhere);
    QVERIFY(r.chooser->chosenRow().has_value());
    r.button(QDialogButtonBox::Cancel)->click();

    // Another origin: nothing of the last one's order or choice is left
    // while its own ranking is on the way.
    r.w.main->findChild<QListWidget*>("origins")->setCurrentRow(1);
    ranked.clear();
    r.pressReplace(0);
    QVERIFY(!list->model()->index(0, 0).data().toString().front().isDigit());  // no cosine: unranked
    QVERIFY(list->currentIndex().data(ReplacementChooser::QuestionRole).toString() != elsewhere);
    QVERIFY(ranked.wait());
    QVERIFY(list->model()->index(0, 0).data().toString().front().isDigit());
    r.button(QDialogButtonBox::Cancel)->click();
}

void TestReplaceShot::cancelChangesNothing() {
    RunWindow r;
    QVERIFY2(r.run(), qPrintable(r.w.prompts->errors.join('\n')));
    QStringList before;
    for (int row = 0; row < r.shots->rowCount(); ++row) before << r.shotText(row);
    const QString prompt = r.w.main->findChild<QPlainTextEdit*>("renderedPrompt")->toPlainText();

    std::set<std::string> taken{r.origin().toStdString()};
    for (const QString& shot : before) taken.insert(shot.toStdString());
    const QString free = qstring(questionElsewhere(r.w.main->project(), taken));

    r.pressReplace(1);
    r.filter(QString());
    QVERIFY(r.chooser->matchCount() > 1000);  // the whole corpus, unfiltered
    QVERIFY(r.select(free));
    QVERIFY(r.button(QDialogButtonBox::Ok)->isEnabled());
    r.button(QDialogButtonBox::Cancel)->click();
    QVERIFY(!r.chooser->isVisible());

    QStringList after;
    for (int row = 0; row < r.shots->rowCount(); ++row) after << r.shotText(row);
    QCOMPARE(after, before);
    QCOMPARE(r.w.main->findChild<QPlainTextEdit*>("renderedPrompt")->toPlainText(), prompt);
    QVERIFY(r.w.main->project().fewshot_edits.empty());
    QVERIFY(!r.w.main->isWindowModified());
}

// On a corpus of its own: ASCII and non-ASCII letters in either case.
void TestReplaceShot::filterIsCaseInsensitiveSubstring() {
    auto outcome = std::make_shared<PipelineOutcome>();
    for (const char* question : {"Combien coûte un ÉCLAIR ?", "How much is an eclair?", "What is 2 + 2?"})
        outcome->records.push_back(Record{{"question", question}, {"answer", "-"}});
    outcome->questionIndex = QuestionIndex(outcome->records);
    ReplacementChooser chooser;
    chooser.setOutcome(outcome);
    chooser.chooseFor("What is 2 + 2?", {}, "-", 0);
    auto* filter = chooser.findChild<QLineEdit*>("replacementFilter");
    const auto matches = [&](const QString& text) {
        filter->setText(text);
        return chooser.matchCount();
    };
    QCOMPARE(matches(QString()), 3);
    QCOMPARE(matches("ECLAIR"), 1);  // "ÉCLAIR" holds no "ECLAIR"
    QCOMPARE(matches(QStringLiteral("éclair")), 1);
    QCOMPARE(matches("an ECL"), 1);
    QCOMPARE(matches("e"), 2);
    QCOMPARE(matches("?"), 3);
    QCOMPARE(matches("zebra"), 0);
    // The last question is the origin: not chosen even when it is the only match.
    QCOMPARE(matches("2 + 2"), 1);
    QVERIFY(!chooser.chosenRow());
    QCOMPARE(matches("how much"), 1);
    QCOMPARE(chooser.chosenRow(), std::optional<std::size_t>(1));
}

// SPEC §8's math domain pools about 700k questions: every filter finds
// what a plain search finds, quickly enough to follow typing (the times are
// printed, as the map's are, not asserted on a shared machine).
void TestReplaceShot::filterKeepsUpWithSevenHundredThousandQuestions() {
    constexpr std::size_t kRows = 700000;
    const char* words[] = {"what", "is", "the", "sum", "of", "Natalia", "sold", "clips", "to", "her", "friends",
                           "in", "April", "and", "then", "half", "as", "many", "May", "how", "total", "eggs"};
    QElapsedTimer timer;
    timer.start();
    auto outcome = std::make_shared<PipelineOutcome>();
    outcome->records.reserve(kRows);
    std::uint64_t state = 12345;
    for (std::size_t row = 0; row < kRows; ++row) {
        std::string question = std::to_string(row);
        for (int w = 0; w < 14; ++w) {
            state ^= state << 13, state ^= state >> 7, state ^= state << 17;
            question += ' ';
            question += words[state % std::size(words)];
        }
        outcome->records.push_back(Record{{"question", std::move(question)}});
    }
    const qint64 buildMs = timer.restart();
    outcome->questionIndex = QuestionIndex(outcome->records);  // as the worker does
    const qint64 indexMs = timer.restart();
    ReplacementChooser chooser;
    chooser.setOutcome(outcome);
    chooser.chooseFor("", {}, "-", 0);
    chooser.show();
    auto* filter = chooser.findChild<QLineEdit*>("replacementFilter");
    const qint64 showMs = timer.restart();
    QCOMPARE(chooser.matchCount(), int(kRows));
    filter->setText("N");
    const qint64 firstMs = timer.restart();
    filter->setText("Na");
    const qint64 secondMs = timer.restart();
    filter->setText("natalia sold");
    const qint64 thirdMs = timer.restart();
    const auto expected = std::count_if(outcome->records.begin(), outcome->records.end(), [](const Record& record) {
        return record["question"].get<std::string>().find("Natalia sold") != std::string::npos;
    });
    QVERIFY(expected > 1000);
    QCOMPARE(chooser.matchCount(), int(expected));
    filter->setText("699999 ");
    const qint64 fourthMs = timer.restart();
    QCOMPARE(chooser.matchCount(), 1);
    qInfo("700k: records %lld ms, index %lld ms (worker thread), show %lld ms, filters %lld %lld %lld %lld ms",
          buildMs, indexMs, showMs, firstMs, secondMs, thirdMs, fourthMs);
}

QTEST_MAIN(TestReplaceShot)
#include "test_replace_shot.moc"
