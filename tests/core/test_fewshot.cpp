// Few-shot stage (SPEC §4): picks against a brute-force cosine top-k, every
// kind of curator edit and its replay after the corpus changed, the edits in
// a saved project, and the written JSONL read back by the formatting stage.
// Data: the demo math corpus (resources/demo) pooled by the corpus stage and
// embedded with the built-in hashing embedder, and the cd-a fixture vectors
// (which hold exact duplicate rows) under synthetic records.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "distill/embedder.h"
#include "distill/error.h"
#include "distill/fewshot.h"
#include "distill/format.h"
#include "distill/npy.h"
#include "distill/project.h"
#include "support/test_support.h"

using namespace distill::test;

namespace {

using distill::FewShot;
using distill::FewShotEdit;
using distill::FewShotEditKind;
using distill::FewShotPicker;
using distill::Matrix;
using distill::Record;
using distill::RowId;

struct EmbeddedCorpus {
    std::vector<Record> records;
    Matrix embeddings;
};

const EmbeddedCorpus& demo_math() {
    static const EmbeddedCorpus corpus = [] {
        const auto project = distill::load_project(demo_project_path());
        EmbeddedCorpus c;
        c.records = distill::pool_sources(project.resolved_sources(), project.on_bad_line).records;
        std::vector<std::string> questions;
        for (const auto& r : c.records) questions.push_back(r["question"].get<std::string>());
        c.embeddings = distill::make_embedder("hashing")->embed(questions);
        return c;
    }();
    return corpus;
}

// The cd-a vectors, each row given a made-up gsm8k-shaped record.
const EmbeddedCorpus& cd_a() {
    static const EmbeddedCorpus corpus = [] {
        EmbeddedCorpus c;
        c.embeddings = cd_a_embeddings();
        for (std::size_t i = 0; i < c.embeddings.rows; ++i)
            c.records.push_back({{"question", "question " + std::to_string(i)}, {"answer", "#### " + std::to_string(i)}});
        return c;
    }();
    return corpus;
}

// Every 7th row: a spread of origins, deterministic.
std::vector<RowId> every_seventh(std::size_t rows, std::size_t count) {
    std::vector<RowId> out;
    for (std::size_t i = 0; i < count && i * 7 < rows; ++i) out.push_back(static_cast<RowId>(i * 7));
    return out;
}

// Empty when `f` holds the k best other rows by a double-precision brute
// force, best first, with scores to 1e-5. Rows may differ only where the
// brute force ties within 1e-6 at the k-th score: float rounding decides.
QString brute_force_difference(const Matrix& x, const FewShot& f, std::size_t k) {
    std::vector<std::pair<double, RowId>> all;
    for (RowId r = 0; r < x.rows; ++r)
        if (r != f.origin) all.push_back({cosine(x.row(f.origin), x.row(r)), r});
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    if (f.shots.size() != std::min(k, all.size())) return QString("origin %1: %2 shots").arg(f.origin).arg(f.shots.size());
    const double kth = all[f.shots.size() - 1].first;
    for (std::size_t i = 0; i < f.shots.size(); ++i) {
        const auto& s = f.shots[i];
        if (s.row == f.origin) return QString("origin %1 is its own shot %2").arg(f.origin).arg(i);
        if (i > 0 && s.score > f.shots[i - 1].score) return QString("origin %1: shot %2 out of order").arg(f.origin).arg(i);
        const double exact = cosine(x.row(f.origin), x.row(s.row));
        if (std::abs(exact - s.score) > 1e-5)
            return QString("origin %1: shot %2 scored %3, exactly %4").arg(f.origin).arg(i).arg(s.score).arg(exact);
        if (std::abs(exact - all[i].first) > 1e-5)
            return QString("origin %1: shot %2 has cosine %3, the %2-th best is %4").arg(f.origin).arg(i).arg(exact).arg(all[i].first);
        if (exact < kth - 1e-6) return QString("origin %1: row %2 is not among the best %3").arg(f.origin).arg(s.row).arg(k);
    }
    return {};
}

std::vector<RowId> rows_of(const FewShot& f) {
    std::vector<RowId> rows;
    for (const auto& s : f.shots) rows.push_back(s.row);
    return rows;
}

const std::string& question_of(const EmbeddedCorpus& c, RowId row) {
    return c.records[row]["question"].get_ref<const std::string&>();
}

// The first corpus row from `from` on that is neither `f`'s origin nor one of its shots.
RowId row_outside(const FewShot& f, std::size_t rows, RowId from = 0) {
    const auto used = rows_of(f);
    for (RowId r = from; r < rows; ++r)
        if (r != f.origin && std::find(used.begin(), used.end(), r) == used.end()) return r;
    return 0;
}

}  // namespace

class TestFewShot : public QObject {
    Q_OBJECT

private slots:
    void picksEqualBruteForceTopK() {
        const auto& c = cd_a();
        const FewShotPicker picker(c.records, c.embeddings);
        const auto origins = every_seventh(c.embeddings.rows, 200);
        const auto picks = picker.pick(origins);
        QCOMPARE(picks.size(), origins.size());
        for (std::size_t i = 0; i < picks.size(); ++i) {
            QCOMPARE(picks[i].origin, origins[i]);
            const QString diff = brute_force_difference(c.embeddings, picks[i], 5);
            QVERIFY2(diff.isEmpty(), qPrintable(diff));
        }
    }

    // cd-a holds exact duplicate vectors: the origin's twin (cosine 1) is a
    // shot, the origin's own row never is, whatever order ties come in.
    void ownRowIsNeverAShotEvenAmongDuplicates() {
        const auto& c = cd_a();
        const FewShotPicker picker(c.records, c.embeddings, {3});
        std::vector<RowId> with_twin;
        for (RowId a = 0; a < c.embeddings.rows && with_twin.size() < 20; ++a)
            for (RowId b = 0; b < c.embeddings.rows; ++b)
                if (a != b && std::equal(c.embeddings.row(a).begin(), c.embeddings.row(a).end(),
                                         c.embeddings.row(b).begin())) {
                    with_twin.push_back(a);
                    break;
                }
        QVERIFY2(!with_twin.empty(), "cd-a should hold exact duplicate rows");
        for (const auto& f : picker.pick(with_twin)) {
            QCOMPARE(f.shots.size(), std::size_t(3));
            const auto rows = rows_of(f);
            QVERIFY(std::find(rows.begin(), rows.end(), f.origin) == rows.end());
            QVERIFY(std::abs(f.shots[0].score - 1.0f) < 1e-5);
        }
    }

    void picksOnTheDemoCorpusAreSensible() {
        const auto& c = demo_math();
        QVERIFY(c.records.size() > 1000);
        const FewShotPicker picker(c.records, c.embeddings);
        const auto picks = picker.pick(every_seventh(c.records.size(), 60));
        for (const auto& f : picks) {
            const QString diff = brute_force_difference(c.embeddings, f, 5);
            QVERIFY2(diff.isEmpty(), qPrintable(diff));
            // The demo's sources are templated: every question has lexical
            // near-neighbours far closer than the corpus at large (measured:
            // best shot 0.43..0.95, mean cosine to all rows 0.06..0.09).
            double mean = 0;
            for (RowId r = 0; r < c.records.size(); ++r) mean += cosine(c.embeddings.row(f.origin), c.embeddings.row(r));
            mean /= double(c.records.size());
            QVERIFY2(f.shots[0].score > mean + 0.3, qPrintable(QString::fromStdString(question_of(c, f.origin))));
        }
    }

    void rejectsInputItCannotPickFrom() {
        const auto& c = cd_a();
        QVERIFY_THROWS_EXCEPTION(distill::Error, FewShotPicker(c.records, c.embeddings, {0}));
        auto fewer = c.records;
        fewer.pop_back();
        QVERIFY_THROWS_EXCEPTION(distill::Error, FewShotPicker(fewer, c.embeddings));
        auto twice = c.records;
        // Quoted in the message on one line, cut before a character, not inside it.
        const std::string long_question = std::string(59, 'a') + "\xc3\xa9\nand a second line";
        twice[3]["question"] = twice[10]["question"] = long_question;
        try {
            FewShotPicker(twice, c.embeddings);
            QFAIL("a repeated question was accepted");
        } catch (const distill::Error& e) {
            const std::string what = e.what();
            QVERIFY2(what.find("records 3 and 10 have the same question \"" + std::string(59, 'a') + "\"...;") !=
                         std::string::npos,
                     e.what());
            QVERIFY(what.find('\n') == std::string::npos);
        }
        const FewShotPicker picker(c.records, c.embeddings);
        QVERIFY_THROWS_EXCEPTION(distill::Error, picker.pick({1, 2, 1}));
        QVERIFY_THROWS_EXCEPTION(distill::Error, picker.pick({RowId(c.records.size())}));
        QVERIFY(picker.pick({}).empty());
    }

    void eachEditKindApplies() {
        const auto& c = demo_math();
        const FewShotPicker picker(c.records, c.embeddings);
        const std::vector<RowId> origins = {11, 222, 333, 444, 555};
        const auto picks = picker.pick(origins);
        const auto q = [&](RowId row) { return question_of(c, row); };
        const auto shot_q = [&](std::size_t origin, std::size_t shot) { return q(picks[origin].shots[shot].row); };
        const RowId outsider = row_outside(picks[0], c.records.size());
        const RowId pinned = row_outside(picks[3], c.records.size());

        const std::vector<FewShotEdit> edits = {
            {FewShotEditKind::Replace, q(11), shot_q(0, 2), q(outsider), 0},
            {FewShotEditKind::Remove, q(222), shot_q(1, 1), "", 0},
            {FewShotEditKind::Move, q(333), shot_q(2, 4), "", 0},
            {FewShotEditKind::Pin, q(444), q(pinned), "", 1},
            {FewShotEditKind::Pin, q(444), shot_q(3, 0), "", 3},
            {FewShotEditKind::Drop, q(555), "", "", 0},
        };
        const auto edited = distill::apply_fewshot_edits(picks, edits, picker);
        QCOMPARE(edited.applied, edits.size());
        QVERIFY(edited.unapplied.empty());
        QCOMPARE(edited.fewshots.size(), std::size_t(4));  // 555 dropped

        const auto& replaced = edited.fewshots[0];
        QCOMPARE(replaced.shots.size(), std::size_t(5));
        QCOMPARE(replaced.shots[2].row, outsider);
        QVERIFY(std::abs(replaced.shots[2].score - cosine(c.embeddings.row(11), c.embeddings.row(outsider))) < 1e-6);
        for (std::size_t i : {0, 1, 3, 4}) QCOMPARE(replaced.shots[i].row, picks[0].shots[i].row);

        auto expected = rows_of(picks[1]);
        expected.erase(expected.begin() + 1);
        QCOMPARE(rows_of(edited.fewshots[1]), expected);

        expected = rows_of(picks[2]);
        std::rotate(expected.begin(), expected.begin() + 4, expected.end());
        QCOMPARE(rows_of(edited.fewshots[2]), expected);

        // Pinning a row the picker did not find puts it in place of the last
        // shot; pinning a picked one moves it.
        const auto p = rows_of(picks[3]);
        QCOMPARE(rows_of(edited.fewshots[3]), (std::vector<RowId>{pinned, p[1], p[2], p[0], p[3]}));
        QVERIFY(std::abs(edited.fewshots[3].shots[0].score - cosine(c.embeddings.row(444), c.embeddings.row(pinned))) < 1e-6);
    }

    // Unpin undoes the earlier Pins of its shot: the replay is as if they
    // were never made, while the edits around them still apply. An Unpin
    // with nothing to undo is reported.
    void unpinUndoesEarlierPins() {
        const auto& c = demo_math();
        const FewShotPicker picker(c.records, c.embeddings);
        const auto picks = picker.pick({444});
        const auto q = [&](RowId row) { return question_of(c, row); };
        const RowId outsider = row_outside(picks[0], c.records.size());
        const std::vector<FewShotEdit> edits = {
            {FewShotEditKind::Pin, q(444), q(outsider), "", 0},
            {FewShotEditKind::Remove, q(444), q(picks[0].shots[4].row), "", 0},
            {FewShotEditKind::Pin, q(444), q(outsider), "", 2},
            {FewShotEditKind::Unpin, q(444), q(outsider), "", 0},
            {FewShotEditKind::Unpin, q(444), q(picks[0].shots[0].row), "", 0},  // never pinned
        };
        const auto edited = distill::apply_fewshot_edits(picks, edits, picker);
        QCOMPARE(edited.applied, std::size_t(4));
        QCOMPARE(edited.unapplied.size(), std::size_t(1));
        QCOMPARE(edited.unapplied[0].index, std::size_t(4));
        QCOMPARE(edited.unapplied[0].reason, std::string("the shot is not pinned by an earlier edit"));
        auto expected = rows_of(picks[0]);
        expected.pop_back();  // the Remove still applies
        QCOMPARE(rows_of(edited.fewshots[0]), expected);
        // A Pin made after the Unpin holds again.
        auto again = edits;
        again.push_back({FewShotEditKind::Pin, q(444), q(outsider), "", 0});
        QCOMPARE(distill::apply_fewshot_edits(picks, again, picker).fewshots[0].shots[0].row, outsider);

        // A Remove of the shot ended the pins before it: an Unpin undoes
        // only the pins since, and the Remove still finds its shot.
        const RowId first = picks[0].shots[0].row;
        const std::vector<FewShotEdit> ended = {
            {FewShotEditKind::Pin, q(444), q(outsider), "", 0},
            {FewShotEditKind::Remove, q(444), q(outsider), "", 0},
            {FewShotEditKind::Replace, q(444), q(first), q(outsider), 0},
            {FewShotEditKind::Pin, q(444), q(outsider), "", 0},
            {FewShotEditKind::Unpin, q(444), q(outsider), "", 0},
        };
        const auto replayed = distill::apply_fewshot_edits(picks, ended, picker);
        QVERIFY(replayed.unapplied.empty());
        QCOMPARE(replayed.applied, ended.size());
        auto kept = rows_of(picks[0]);
        kept.pop_back();  // the first Pin put the outsider in place of the last shot
        kept[0] = outsider;  // the Replace put it back in place of the first
        QCOMPARE(rows_of(replayed.fewshots[0]), kept);
    }

    void editsThatNoLongerApplyAreReported() {
        const auto& c = demo_math();
        const FewShotPicker picker(c.records, c.embeddings);
        const auto picks = picker.pick({5, 6});
        const auto q = [&](RowId row) { return question_of(c, row); };
        const RowId not_a_shot = row_outside(picks[0], c.records.size());
        const std::vector<FewShotEdit> edits = {
            {FewShotEditKind::Drop, q(7), "", "", 0},                                      // not sampled
            {FewShotEditKind::Drop, "a question nobody asked", "", "", 0},                 // not in the corpus
            {FewShotEditKind::Remove, q(5), q(not_a_shot), "", 0},                         // not picked
            {FewShotEditKind::Remove, q(5), "gone", "", 0},                                // shot not in the corpus
            {FewShotEditKind::Replace, q(5), q(picks[0].shots[0].row), "gone", 0},         // replacement gone
            {FewShotEditKind::Pin, q(5), q(5), "", 0},                                     // itself
            {FewShotEditKind::Drop, q(6), "", "", 0},
            {FewShotEditKind::Move, q(6), q(picks[1].shots[0].row), "", 2},                // after its drop
        };
        const auto edited = distill::apply_fewshot_edits(picks, edits, picker);
        QCOMPARE(edited.applied, std::size_t(1));
        std::map<std::size_t, std::string> reasons;
        for (const auto& u : edited.unapplied) reasons[u.index] = u.reason;
        QCOMPARE(reasons.size(), std::size_t(7));
        QCOMPARE(reasons[0], std::string("the origin is no longer sampled"));
        QCOMPARE(reasons[1], std::string("the origin's question is no longer in the corpus"));
        QCOMPARE(reasons[2], std::string("the shot is no longer picked for this origin"));
        QCOMPARE(reasons[3], std::string("the shot's question is no longer in the corpus"));
        QCOMPARE(reasons[4], std::string("the replacement's question is no longer in the corpus"));
        QCOMPARE(reasons[5], std::string("the pinned shot is the origin itself"));
        QCOMPARE(reasons[7], std::string("the origin was dropped by edit 6"));
        QCOMPARE(edited.fewshots.size(), std::size_t(1));
        QCOMPARE(rows_of(edited.fewshots[0]), rows_of(picks[0]));  // unapplied edits changed nothing
        QCOMPARE(distill::describe(edited.unapplied[1], edits),
                 std::string("edit 1 (drop, origin \"a question nobody asked\") not applied: "
                             "the origin's question is no longer in the corpus"));
    }

    // The curator's edits name questions, so they survive a re-run on a
    // changed corpus where every row id has moved; an edit whose question
    // left the corpus upstream is reported.
    void editsSurviveTheCorpusChanging() {
        const auto& c = demo_math();
        const FewShotPicker picker(c.records, c.embeddings);
        const RowId origin = 400;
        const auto before = picker.pick({origin})[0];
        const auto q = [&](RowId row) { return question_of(c, row); };
        const RowId pinned = row_outside(before, c.records.size(), 100);
        const std::vector<FewShotEdit> edits = {
            {FewShotEditKind::Pin, q(origin), q(pinned), "", 0},
            {FewShotEditKind::Remove, q(origin), q(before.shots[1].row), "", 0},
        };
        const auto first = distill::apply_fewshot_edits({before}, edits, picker);
        QVERIFY(first.unapplied.empty());

        // Upstream, the first rows of the corpus and the removed shot vanish.
        EmbeddedCorpus changed;
        const RowId removed_upstream = before.shots[1].row;
        for (RowId r = 0; r < c.records.size(); ++r) {
            if (r < 10 || r == removed_upstream) continue;
            changed.records.push_back(c.records[r]);
        }
        changed.embeddings = Matrix(changed.records.size(), c.embeddings.cols);
        for (std::size_t i = 0, r = 0; r < c.records.size(); ++r) {
            if (r < 10 || r == removed_upstream) continue;
            std::copy(c.embeddings.row(r).begin(), c.embeddings.row(r).end(), changed.embeddings.row(i++).begin());
        }
        const FewShotPicker again(changed.records, changed.embeddings);
        const RowId moved_origin = *again.find_question(q(origin));
        QCOMPARE(moved_origin, RowId(origin - 10 - (removed_upstream < origin)));
        const auto second = distill::apply_fewshot_edits(again.pick({moved_origin}), edits, again);
        QCOMPARE(second.applied, std::size_t(1));
        QCOMPARE(second.unapplied.size(), std::size_t(1));
        QCOMPARE(second.unapplied[0].index, std::size_t(1));
        QCOMPARE(second.unapplied[0].reason, std::string("the shot's question is no longer in the corpus"));
        // The pin holds at its place, by question.
        QCOMPARE(question_of(changed, second.fewshots[0].shots[0].row), q(pinned));
        QCOMPARE(second.fewshots[0].shots.size(), std::size_t(5));
    }

    void editsRoundTripThroughJson() {
        const std::vector<FewShotEdit> edits = {
            {FewShotEditKind::Replace, "o", "a", "b", 0}, {FewShotEditKind::Remove, "o", "a", "", 0},
            {FewShotEditKind::Move, "o", "a", "", 3},     {FewShotEditKind::Pin, "o", "a", "", 1},
            {FewShotEditKind::Drop, "o", "", "", 0},      {FewShotEditKind::Unpin, "o", "a", "", 0}};
        const auto json = distill::to_json(edits);
        QCOMPARE(json[5].dump(), std::string(R"({"edit":"unpin","origin":"o","shot":"a"})"));
        QCOMPARE(json[0].dump(), std::string(R"({"edit":"replace","origin":"o","shot":"a","with":"b"})"));
        QCOMPARE(json[4].dump(), std::string(R"({"edit":"drop","origin":"o"})"));
        const auto back = distill::fewshot_edits_from_json(json, "test");
        QCOMPARE(distill::to_json(back), json);

        const auto error_parsing = [](const char* text) {
            return error_of([&] { distill::fewshot_edits_from_json(nlohmann::ordered_json::parse(text), "edits.json"); });
        };
        QVERIFY(contains(error_parsing(R"([{"edit": "swap", "origin": "o"}])"), "edits.json[0]: unknown edit 'swap'"));
        QVERIFY(contains(error_parsing(R"([{"edit": "drop", "origin": "o", "shot": "a"}])"), "unknown key 'shot' for a drop edit"));
        QVERIFY(contains(error_parsing(R"([{"edit": "move", "origin": "o", "shot": "a"}])"), "missing key 'to'"));
        QVERIFY(contains(error_parsing(R"([{"edit": "move", "origin": "o", "shot": "a", "to": -1}])"), "'to' must be a position"));
        QVERIFY(contains(error_parsing(R"([{"edit": "remove", "origin": 3, "shot": "a"}])"), "'origin' must be a question"));
        QVERIFY(contains(error_parsing(R"({"edit": "drop"})"), "a JSON array"));
        QCOMPARE(error_parsing(R"([{"edit": "drop", "origin": "o", "_comment": "why"}])"), std::string());
    }

    void projectSavesSettingsAndEdits() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("p.distill.json").toStdString();
        auto project = distill::load_project(demo_project_path());
        QCOMPARE(project.fewshot.k, std::size_t(5));  // absent keys: the defaults
        QVERIFY(project.fewshot_edits.empty());
        project.fewshot.k = 3;
        project.fewshot_edits = {{FewShotEditKind::Pin, "what is 2+2?", "what is 3+3?", "", 2},
                                 {FewShotEditKind::Drop, "what is 1+1?", "", "", 0}};
        distill::save_project(project, path);
        const auto loaded = distill::load_project(path);
        QCOMPARE(loaded.fewshot.k, std::size_t(3));
        QCOMPARE(distill::to_json(loaded.fewshot_edits), distill::to_json(project.fewshot_edits));
        QCOMPARE(loaded.sources.size(), project.sources.size());

        const auto with = [&](const std::function<void(nlohmann::ordered_json&)>& change) {
            auto j = read_json(path);
            change(j);
            const std::string edited = dir.filePath("edited.json").toStdString();
            std::ofstream(edited) << j.dump(2);
            return error_of([&] { distill::load_project(edited); });
        };
        QVERIFY(contains(with([](auto& j) { j["fewshot"]["kk"] = 3; }), "fewshot: unknown key 'kk'"));
        QVERIFY(contains(with([](auto& j) { j["fewshot"]["k"] = 0; }), "'k' is 0"));
        QVERIFY(contains(with([](auto& j) { j["fewshot_edits"][1]["edit"] = "dropp"; }), "fewshot_edits[1]: unknown edit"));
        QVERIFY(contains(with([](auto& j) { j["fewshot_edit"] = nlohmann::ordered_json::array(); }),
                         "unknown key 'fewshot_edit'"));
    }

    void writtenFileIsTheReferenceFormatAndFormats() {
        const auto& c = demo_math();
        const FewShotPicker picker(c.records, c.embeddings);
        const auto picks = picker.pick(every_seventh(c.records.size(), 40));
        QTemporaryDir dir;
        const std::string fewshot = dir.filePath("fewshot.jsonl").toStdString();
        distill::write_fewshot_jsonl(fewshot, picks, c.records);

        const auto lines = read_lines(fewshot);
        QCOMPARE(lines.size(), picks.size());
        for (std::size_t i = 0; i < lines.size(); ++i) {
            const auto j = nlohmann::ordered_json::parse(lines[i]);
            QCOMPARE(j["origin"], c.records[picks[i].origin]);
            QCOMPARE(j["shot"].size(), picks[i].shots.size());
            for (std::size_t s = 0; s < picks[i].shots.size(); ++s) {
                QCOMPARE(j["shot"][s], c.records[picks[i].shots[s].row]);
                QVERIFY(std::abs(j["shot_scores"][s].get<double>() - picks[i].shots[s].score) < 1e-6);
            }
        }

        const distill::PromptFormatter formatter(*distill::find_prompt_preset("math"));
        const std::string raw = dir.filePath("raw.jsonl").toStdString();
        const auto report = distill::format_file(fewshot, raw, formatter);
        QCOMPARE(report.read, picks.size());
        QVERIFY(report.written > 0);
        const auto first = nlohmann::json::parse(read_lines(raw).at(0));
        const std::string& shot_question = question_of(c, picks[0].shots[0].row);
        QVERIFY(first["input"].get<std::string>().find(shot_question.substr(0, 30)) != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestFewShot)
#include "test_fewshot.moc"
