// The formatting stage against the reference's own output
// (tests/data/format, copied from shared/fixtures/format): every few-shot
// case of math, science, complexqa, complexqa1 and cnn, and every chat
// conversation and prompt/response pair, byte for byte; plus the word budget
// cutting shots, bad input, the JSON form of templates and atomic output.
#include <QtTest>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "distill/error.h"
#include "distill/format.h"
#include "distill/llm_tokenizer.h"
#include "support/test_support.h"

using namespace distill::test;

using distill::Record;

namespace {

Record fixture(const std::string& name) { return read_json(DISTILL_TEST_DATA "/format/" + name); }

// The reference's json.dumps of a value, to put few-shot lines into a stream.
std::string jsonl_of(const Record& cases, long max_seq_len = 0) {
    std::string out;
    for (const auto& c : cases)
        if (c.value("max_seq_len", 0L) == max_seq_len) out += c["fewshot"].dump() + "\n";
    return out;
}

QByteArray describe(const Record& expected, const Record& got) {
    return QByteArray::fromStdString("\nexpected " + expected.dump().substr(0, 600) + "\n     got " +
                                     got.dump().substr(0, 600));
}

Record math_record(const std::string& question, const std::string& answer) {
    return Record{{"question", question}, {"answer", answer}};
}

std::string words(std::size_t n, const std::string& word = "w") {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += (i ? " " : "") + word;
    return out;
}

// A few-shot file of `count` lines made from the math fixture's cases, each
// origin made distinct. Every 7th line gets a long second shot the word
// budget cuts (with every later one), every 97th line is blank, the lines in
// `not_json` are not JSON and those in `unrecognised` have an origin no rule
// knows.
std::string math_fewshot_lines(std::size_t count, const std::set<std::size_t>& not_json = {},
                               const std::set<std::size_t>& unrecognised = {}) {
    const Record cases = fixture("math.json");
    std::string out;
    for (std::size_t n = 1; n <= count; ++n) {
        if (not_json.contains(n)) {
            out += "{\"origin\": not json\n";
            continue;
        }
        if (n % 97 == 0) {
            out += "\n";
            continue;
        }
        Record line = cases[n % cases.size()]["fewshot"];
        line["origin"]["question"] = "#" + std::to_string(n) + " " + line["origin"]["question"].get<std::string>();
        if (n % 7 == 0 && !line["shot"].empty())
            line["shot"].insert(line["shot"].begin() + 1, math_record(words(1500), "a"));
        if (unrecognised.contains(n)) line["origin"] = Record{{"x", n}};
        out += line.dump() + "\n";
    }
    return out;
}

}  // namespace

class TestFormat : public QObject {
    Q_OBJECT

    // Every case of a word-budget domain: the record (instruction, input and
    // output, with the output's JSON type) or the drop, and the reference's
    // shots_dropped_for_length (1 when the budget stopped adding shots).
    void checkWordBudgetDomain(const std::string& domain) {
        const Record cases = fixture(domain + ".json");
        QVERIFY(cases.size() >= 20);
        const distill::PromptFormatter formatter(*distill::find_prompt_preset(domain));
        std::size_t kept = 0;
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const Record& c = cases[i];
            const distill::FormattedPrompt got = formatter.format(c["fewshot"]);
            const QByteArray where = QByteArray::fromStdString(domain + " case " + std::to_string(i));
            if (c["expect"].is_null()) {
                QVERIFY2(got.dropped == distill::DropReason::QueryOverWordBudget, where);
                continue;
            }
            ++kept;
            QVERIFY2(got.dropped == distill::DropReason::None, where);
            const Record& expected = c["expect"]["record"];
            QVERIFY2(got.record == expected, where + describe(expected, got.record));
            QCOMPARE(got.record.dump(), expected.dump());  // key order too
            QCOMPARE(got.shots_cut > 0 ? 1 : 0, c["expect"]["shots_dropped_for_length"].get<int>());
        }
        // The stream writes exactly the kept records, in order, and counts the drops.
        std::istringstream in(jsonl_of(cases));
        std::ostringstream out;
        const auto report = distill::format_stream(in, out, formatter, domain + ".jsonl");
        QCOMPARE(report.read, cases.size());
        QCOMPARE(report.written, kept);
        QCOMPARE(report.dropped_query_over_words, cases.size() - kept);
        std::istringstream lines(out.str());
        std::string line;
        std::size_t n = 0;
        for (const auto& c : cases) {
            if (c["expect"].is_null()) continue;
            QVERIFY(std::getline(lines, line));
            QCOMPARE(Record::parse(line), c["expect"]["record"]);
            QCOMPARE(line, distill::python_json_dumps(c["expect"]["record"]));
            ++n;
        }
        QCOMPARE(n, kept);
        QVERIFY(!std::getline(lines, line));
    }

private Q_SLOTS:
    void mathMatchesReference() { checkWordBudgetDomain("math"); }
    void scienceMatchesReference() { checkWordBudgetDomain("science"); }
    void complexqaMatchesReference() { checkWordBudgetDomain("complexqa"); }
    void complexqa1MatchesReference() { checkWordBudgetDomain("complexqa1"); }

    void boolqOutputStaysBoolean() {
        // The reference wrote BoolQ's answer as it was: a JSON boolean as the
        // output, Python's "True" inside a shot.
        const Record line{{"origin", {{"question", "is it"}, {"answer", true}, {"passage", "P."}}},
                          {"shot", {{{"question", "was it"}, {"answer", false}, {"passage", "Q."}}}}};
        const auto got = distill::PromptFormatter(*distill::find_prompt_preset("complexqa1")).format(line);
        QCOMPARE(got.record["output"], Record(true));
        QCOMPARE(got.record["input"].get<std::string>(), std::string("Q: Q. was it\nA: False\n\nQ: P. is it\nA:"));
        QCOMPARE(distill::python_json_dumps(got.record),
                 std::string("{\"instruction\": \"\", \"input\": \"Q: Q. was it\\nA: False\\n\\nQ: P. is it\\nA:\", "
                             "\"output\": true}"));

        // A null answer is no output at all: refused, not written as null.
        Record unanswered = line;
        unanswered["origin"] = {{"question", "is it"}, {"answer", nullptr}};
        const std::string why = error_of([&] {
            distill::PromptFormatter(*distill::find_prompt_preset("math")).format(unanswered);
        });
        QVERIFY2(contains(why, "the output {answer} is null; give the record its answer"), why.c_str());
    }

    void complexqaAcceptsDatasetLabels() {
        // Social IQa as Hugging Face ships it: label "1".."3"; HellaSwag's
        // "0".."3" over its endings; bAbI (neither is in the reference's
        // fixtures).
        const std::vector<std::string> rules = distill::find_prompt_preset("complexqa")->source_rules;
        const Record siqa{{"context", "C."}, {"question", "Why?"}, {"answerA", "a"},
                          {"answerB", "b"},  {"answerC", "c"},     {"answer", "3"}};
        const auto s = distill::to_question_answer(siqa, rules);
        QCOMPARE(s.rule, std::string("siqa"));
        QCOMPARE(s.question, std::string("C. Why?\n\tA. a\n\tB. b\n\tC. c"));
        QCOMPARE(s.answer, Record("C"));
        const Record hellaswag{{"question", "A man"}, {"endings", {"runs", "sits", "eats", "waits"}}, {"answer", "1"}};
        const auto h = distill::to_question_answer(hellaswag, rules);
        QCOMPARE(h.question, std::string("A man\n\tA. runs\n\tB. sits\n\tC. eats\n\tD. waits"));
        QCOMPARE(h.answer, Record("B"));
        // bAbI, as the complexqa domain pools it: question and answer only.
        const Record babi{{"question", "Where is Mary?"}, {"answer", "kitchen"}};
        const auto b = distill::to_question_answer(babi, rules);
        QCOMPARE(b.rule, std::string("babi"));
        QCOMPARE(b.question, std::string("Where is Mary?"));
        QCOMPARE(b.answer, Record("kitchen"));
        Record bad = siqa;
        bad["answer"] = 3;
        QVERIFY(contains(error_of([&] { distill::to_question_answer(bad, rules); }), "not an answer index 0..2"));
    }

    void cnnMatchesReference() {
        QVERIFY2(QFile::exists(QString::fromStdString(llama_tokenizer_path())),
                 "the Llama-2 tokenizer is missing: run installer/fetch-tokenizer.sh "
                 "(CTest passes its path in DISTILL_LLAMA_TOKENIZER)");
        const distill::SentencePieceTokenizer tokenizer(llama_tokenizer_path());
        const Record cases = fixture("cnn.json");
        QCOMPARE(cases.size(), std::size_t(20));
        std::size_t dropped = 0, cut = 0;
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const Record& c = cases[i];
            const int max_seq_len = c["max_seq_len"];
            const distill::PromptFormatter formatter(*distill::find_prompt_preset("cnn"), &tokenizer, max_seq_len);
            const auto got = formatter.format(c["fewshot"]);
            const QByteArray where = QByteArray::fromStdString("cnn case " + std::to_string(i));
            if (c["expect"].is_null()) {
                QVERIFY2(got.dropped == distill::DropReason::NoShotCountFits, where);
                ++dropped;
                continue;
            }
            QVERIFY2(got.dropped == distill::DropReason::None, where);
            QVERIFY2(got.record == c["expect"], where + describe(c["expect"], got.record));
            QCOMPARE(got.record.dump(), c["expect"].dump());
            QVERIFY(got.token_count < static_cast<std::size_t>(max_seq_len));
            cut += got.shots_cut > 0;
        }
        QCOMPARE(dropped, std::size_t(8));
        QVERIFY(cut >= 2);  // the 300-token cases keep one shot of five

        for (const long max_seq_len : {2048L, 300L}) {
            const distill::PromptFormatter formatter(*distill::find_prompt_preset("cnn"), &tokenizer,
                                                     static_cast<int>(max_seq_len));
            std::istringstream in(jsonl_of(cases, max_seq_len));
            std::ostringstream out;
            const auto report = distill::format_stream(in, out, formatter, "cnn.jsonl");
            std::vector<Record> expected;
            for (const auto& c : cases)
                if (c["max_seq_len"] == max_seq_len && !c["expect"].is_null()) expected.push_back(c["expect"]);
            QCOMPARE(report.written, expected.size());
            QCOMPARE(report.dropped_no_shot_count_fits, report.read - expected.size());
            std::istringstream lines(out.str());
            std::string line;
            for (const auto& e : expected) {
                QVERIFY(std::getline(lines, line));
                QCOMPARE(line, distill::python_json_dumps(e));
            }
        }
    }

    void cnnNeedsATokenizer() {
        const std::string msg =
            error_of([] { distill::PromptFormatter f(*distill::find_prompt_preset("cnn")); });
        QVERIFY2(contains(msg, "--tokenizer") && contains(msg, "--max-seq-len"), msg.c_str());
    }

    void lengthCheckKeepsEqualForMathButNotCnn() {
        const distill::SentencePieceTokenizer tokenizer(llama_tokenizer_path());
        const Record line{{"origin", math_record("Janet has 3 apples.", "3")}, {"shot", Record::array()}};
        const auto free = distill::PromptFormatter(*distill::find_prompt_preset("math"), &tokenizer, 4096).format(line);
        QCOMPARE(free.dropped, distill::DropReason::None);
        const int count = static_cast<int>(free.token_count);
        QCOMPARE(count, static_cast<int>(tokenizer.encode("Q: Janet has 3 apples.\nA:3", false, true).size()));
        // math/science keep count <= max (the reference's math_science.py).
        QCOMPARE(distill::PromptFormatter(*distill::find_prompt_preset("math"), &tokenizer, count).format(line).dropped,
                 distill::DropReason::None);
        QCOMPARE(
            distill::PromptFormatter(*distill::find_prompt_preset("math"), &tokenizer, count - 1).format(line).dropped,
            distill::DropReason::OverMaxSeqLen);
        // cnn keeps count < max only, and never goes below one shot.
        const Record shot = math_record("Other news.", "Another summary.");
        const Record article{{"origin", math_record("Some news.", "A summary.")}, {"shot", {shot}}};
        const auto cnn = distill::PromptFormatter(*distill::find_prompt_preset("cnn"), &tokenizer, 4096).format(article);
        QCOMPARE(cnn.record["input"].get<std::string>(),
                 std::string("###\nArticle: Other news.\n\nSummarize the above article in 3 sentences.\nAnother summary."
                             "\n\n###\nArticle: Some news.\n\nSummarize the above article in 3 sentences."));
        QCOMPARE(cnn.record["output"].get<std::string>(), std::string("\nA summary."));
        const int n = static_cast<int>(cnn.token_count);
        QCOMPARE(distill::PromptFormatter(*distill::find_prompt_preset("cnn"), &tokenizer, n).format(article).dropped,
                 distill::DropReason::NoShotCountFits);
        QCOMPARE(distill::PromptFormatter(*distill::find_prompt_preset("cnn"), &tokenizer, n + 1).format(article).dropped,
                 distill::DropReason::None);
        const Record no_shots{{"origin", math_record("Some news.", "A summary.")}, {"shot", Record::array()}};
        // The reference drops it too (cnn needs one shot), for what it is:
        // no count of its shots is allowed, however long.
        QCOMPARE(distill::PromptFormatter(*distill::find_prompt_preset("cnn"), &tokenizer, 4096).format(no_shots).dropped,
                 distill::DropReason::TooFewShots);
    }

    void wordBudgetCutsTrailingShots() {
        // 1500 words split on single spaces: the query "Q: ...\nA:" has 2 +
        // question words; each shot "Q: ...\nA: a\n\n" adds its words + 2.
        const distill::PromptFormatter formatter(*distill::find_prompt_preset("math"));
        const Record shot_mc{{"question", words(590) + " (A) 1 (B) 2"}, {"answer", "x"}, {"source", "s"}};
        const Record shot_plain = math_record(words(590), "a");
        const Record origin = math_record(words(300), "out");
        // The query and two shots fit (1483 words); the third shot does not:
        // it is cut with every later one, and the instruction follows that
        // third shot, the last one looked at.
        const Record line{{"origin", origin}, {"shot", {shot_plain, shot_plain, shot_mc, shot_plain}}};
        const auto got = formatter.format(line);
        QCOMPARE(got.dropped, distill::DropReason::None);
        QCOMPARE(got.shots_used, std::size_t(2));
        QCOMPARE(got.shots_cut, std::size_t(2));
        QCOMPARE(got.record["instruction"].get<std::string>(),
                 std::string("The following are multiple choice questions (with answers).\n"));
        const std::string input = got.record["input"];
        QVERIFY(std::count(input.begin(), input.end(), ' ') + 1 <= 1500);

        // Exactly at the budget still fits; one word more is cut. The query
        // "Q: " + 10 words + "\nA:" has 10 spaces, a shot "Q: " + k words +
        // "\nA: a\n\n" has k + 1: k = 1488 makes 1500 words.
        const std::size_t shot_fill = 1488;
        const Record exact{{"origin", math_record(words(10), "o")},
                           {"shot", {math_record(words(shot_fill), "a")}}};
        const auto fits = formatter.format(exact);
        const std::string fitted = fits.record["input"];
        QCOMPARE(std::count(fitted.begin(), fitted.end(), ' ') + 1, 1500L);
        QCOMPARE(fits.shots_used, std::size_t(1));
        const Record over{{"origin", math_record(words(10), "o")},
                          {"shot", {math_record(words(shot_fill + 1), "a")}}};
        QCOMPARE(formatter.format(over).shots_used, std::size_t(0));
        QCOMPARE(formatter.format(over).shots_cut, std::size_t(1));

        // A query over the budget drops the record; at the budget it stays.
        const Record long_origin{{"origin", math_record(words(1499), "o")}, {"shot", Record::array()}};
        QCOMPARE(formatter.format(long_origin).dropped, distill::DropReason::None);
        const Record too_long{{"origin", math_record(words(1500), "o")}, {"shot", Record::array()}};
        QCOMPARE(formatter.format(too_long).dropped, distill::DropReason::QueryOverWordBudget);
        // No shot looked at: no multiple-choice instruction.
        QCOMPARE(formatter.format(long_origin).record["instruction"].get<std::string>(), std::string());
    }

    void unrecognisedRecordNamesLineAndFields() {
        const distill::PromptFormatter formatter(*distill::find_prompt_preset("science"));
        const Record good = fixture("science.json")[0]["fewshot"];
        Record bad = good;
        bad["shot"][1] = Record{{"prompt", "x"}, {"label", 2}};
        std::istringstream in(good.dump() + "\n\n" + bad.dump() + "\n");
        std::ostringstream out;
        const std::string msg = error_of([&] { distill::format_stream(in, out, formatter, "few.jsonl"); });
        QVERIFY2(contains(msg, "few.jsonl:3: shot 2 matches no source rule"), msg.c_str());
        QVERIFY2(contains(msg, "\"prompt\", \"label\""), msg.c_str());
        QVERIFY2(contains(msg, "mmlu (subject+choices)"), msg.c_str());

        // Under Skip the line is counted and reported, the rest goes on.
        std::istringstream again(good.dump() + "\n" + bad.dump() + "\nnot json\n" + good.dump() + "\n");
        std::ostringstream kept;
        const auto report =
            distill::format_stream(again, kept, formatter, "few.jsonl", distill::BadInputPolicy::Skip);
        QCOMPARE(report.read, std::size_t(4));
        QCOMPARE(report.written, std::size_t(2));
        QCOMPARE(report.skipped, std::size_t(2));
        QCOMPARE(report.problems.size(), std::size_t(2));
        QCOMPARE(report.problems[0].line, std::size_t(2));
        QVERIFY(contains(report.problems[1].to_string(), "few.jsonl:3: invalid JSON"));

        // A rule that recognises a record but misses a field it reads says which.
        const Record mmlu_without_answer{{"question", "q"}, {"subject", "s"}, {"choices", {"a", "b"}}};
        const std::string m = error_of([&] {
            formatter.format(Record{{"origin", mmlu_without_answer}, {"shot", Record::array()}});
        });
        QVERIFY2(contains(m, "origin looks like a mmlu record, but the record has no field \"answer\""), m.c_str());
        QVERIFY(contains(error_of([&] { formatter.format(Record{{"origin", 1}}); }), "{\"origin\": {...}"));
    }

    void failedRunLeavesNoFile() {
        QTemporaryDir dir;
        const std::string input = (dir.path() + "/few.jsonl").toStdString();
        const std::string output = (dir.path() + "/raw.jsonl").toStdString();
        std::ofstream(input) << fixture("math.json")[0]["fewshot"].dump() << "\n{\"origin\": {\"x\": 1}, \"shot\": []}\n";
        const distill::PromptFormatter formatter(*distill::find_prompt_preset("math"));
        const std::string msg = error_of([&] { distill::format_file(input, output, formatter); });
        QVERIFY2(contains(msg, input + ":2: origin matches no source rule"), msg.c_str());
        QVERIFY(!std::filesystem::exists(output));
        QCOMPARE(std::distance(std::filesystem::directory_iterator(dir.path().toStdString()),
                               std::filesystem::directory_iterator()),
                 1L);  // no temporary file left either
        std::ofstream(input) << fixture("math.json")[0]["fewshot"].dump() << "\n";
        const auto report = distill::format_file(input, output, formatter);
        QCOMPARE(report.written, std::size_t(1));
        QVERIFY(std::filesystem::exists(output));
    }

    void threadsChangeNothing() {
        // With the real tokenizer, about half the kept records go over the
        // length limit; the stream's bytes and report are those of formatting
        // each line on its own, in order, for any thread count.
        const distill::SentencePieceTokenizer tokenizer(llama_tokenizer_path());
        const distill::PromptPreset math = *distill::find_prompt_preset("math");
        const std::string text = math_fewshot_lines(2000, {5, 700, 1999}, {3, 256, 257, 1300});
        std::vector<std::size_t> counts;
        for (const auto& c : fixture("math.json"))
            if (const auto got = distill::PromptFormatter(math, &tokenizer, 1 << 20).format(c["fewshot"]);
                got.dropped == distill::DropReason::None)
                counts.push_back(got.token_count);
        std::nth_element(counts.begin(), counts.begin() + counts.size() / 2, counts.end());
        const distill::PromptFormatter formatter(math, &tokenizer, static_cast<int>(counts[counts.size() / 2]));

        std::string expected;
        distill::FormatReport one_by_one;
        std::vector<std::size_t> bad_lines;
        std::istringstream lines(text);
        std::string line;
        for (std::size_t n = 1; std::getline(lines, line); ++n) {
            if (line.empty()) continue;
            ++one_by_one.read;
            try {
                const auto got = formatter.format(Record::parse(line));
                one_by_one.dropped_query_over_words += got.dropped == distill::DropReason::QueryOverWordBudget;
                one_by_one.dropped_over_max_seq_len += got.dropped == distill::DropReason::OverMaxSeqLen;
                if (got.dropped != distill::DropReason::None) continue;
                one_by_one.records_with_shots_cut += got.shots_cut > 0;
                one_by_one.shots_cut += got.shots_cut;
                expected += distill::python_json_dumps(got.record) + "\n";
                ++one_by_one.written;
            } catch (const std::exception&) {  // distill::Error or nlohmann's parse_error
                bad_lines.push_back(n);
            }
        }
        QCOMPARE(bad_lines, (std::vector<std::size_t>{3, 5, 256, 257, 700, 1300, 1999}));
        QVERIFY(one_by_one.dropped_over_max_seq_len > 100);
        QVERIFY(one_by_one.dropped_query_over_words > 10);
        QVERIFY(one_by_one.records_with_shots_cut > 100);

        std::optional<nlohmann::ordered_json> first_report;
        for (const int threads : {1, 4, 0}) {
            std::istringstream in(text);
            std::ostringstream out;
            const auto report = distill::format_stream(in, out, formatter, "few.jsonl", distill::BadInputPolicy::Skip,
                                                       nullptr, threads);
            QVERIFY2(out.str() == expected, qPrintable(QString("threads %1").arg(threads)));
            QCOMPARE(report.read, one_by_one.read);
            QCOMPARE(report.written, one_by_one.written);
            QCOMPARE(report.dropped_query_over_words, one_by_one.dropped_query_over_words);
            QCOMPARE(report.dropped_over_max_seq_len, one_by_one.dropped_over_max_seq_len);
            QCOMPARE(report.records_with_shots_cut, one_by_one.records_with_shots_cut);
            QCOMPARE(report.shots_cut, one_by_one.shots_cut);
            QCOMPARE(report.skipped, bad_lines.size());
            std::vector<std::size_t> problem_lines;
            for (const auto& p : report.problems) problem_lines.push_back(p.line);
            QCOMPARE(problem_lines, bad_lines);
            if (!first_report) first_report = distill::to_json(report);
            QCOMPARE(distill::to_json(report).dump(), first_report->dump());
        }
    }

    void firstBadLineAbortsWhateverTheThreads() {
        // Two bad lines in different runs of 256 lines; the later run is
        // never formatted, the earlier one in full, on several threads.
        const distill::PromptFormatter formatter(*distill::find_prompt_preset("math"));
        const std::string format_first = math_fewshot_lines(800, {700}, {300});
        const std::string json_first = math_fewshot_lines(800, {290}, {280 + 256});
        // In one run: a line no rule knows, then a line that is not JSON.
        const std::string same_run = math_fewshot_lines(800, {301}, {300, 600});
        for (const int threads : {1, 2, 3, 4}) {
            const auto abort_message = [&](const std::string& text) {
                std::istringstream in(text);
                std::ostringstream out;
                return error_of([&] {
                    distill::format_stream(in, out, formatter, "few.jsonl", distill::BadInputPolicy::Abort, nullptr,
                                           threads);
                });
            };
            const std::string a = abort_message(format_first);
            QVERIFY2(contains(a, "few.jsonl:300: origin matches no source rule"), a.c_str());
            const std::string b = abort_message(json_first);
            QVERIFY2(contains(b, "few.jsonl:290: invalid JSON"), b.c_str());
            const std::string c = abort_message(same_run);
            QVERIFY2(contains(c, "few.jsonl:300: origin matches no source rule"), c.c_str());
        }
    }

    void cancelLeavesNoFileWhateverTheThreads() {
        QTemporaryDir dir;
        const std::string input = (dir.path() + "/few.jsonl").toStdString();
        const std::string output = (dir.path() + "/raw.jsonl").toStdString();
        std::ofstream(input) << math_fewshot_lines(2000);
        const distill::PromptFormatter formatter(*distill::find_prompt_preset("math"));
        for (const int threads : {1, 4}) {
            CancelAfter cancel(2);  // at the third poll, line 768
            bool cancelled = false;
            try {
                distill::format_file(input, output, formatter, distill::BadInputPolicy::Abort, &cancel, threads);
            } catch (const distill::Cancelled&) {
                cancelled = true;
            }
            QVERIFY(cancelled);
            QVERIFY(!std::filesystem::exists(output));
            QCOMPARE(std::distance(std::filesystem::directory_iterator(dir.path().toStdString()),
                                   std::filesystem::directory_iterator()),
                     1L);
        }
    }

    void presetsRoundTripThroughJson() {
        for (const auto& preset : distill::prompt_presets()) {
            const auto json = distill::to_json(preset);
            const auto back = distill::prompt_preset_from_json(json, "preset.json");
            QCOMPARE(distill::to_json(back), json);
        }
        // An edited template is data: a custom instruction and field placeholders.
        auto json = distill::to_json(*distill::find_prompt_preset("math"));
        json["template"]["instruction"] = "Solve.\n";
        json["template"]["instruction_trigger"] = "";
        json["template"]["query"] = "Question ({source}): {question}\nAnswer:";
        const distill::PromptFormatter formatter(distill::prompt_preset_from_json(json, "custom.json"));
        const Record line{{"origin", {{"question", "2+2? (A) 4"}, {"answer", "A"}, {"source", "aqua"}}},
                          {"shot", Record::array()}};
        const auto got = formatter.format(line);
        QCOMPARE(got.record["instruction"].get<std::string>(), std::string("Solve.\n"));
        QCOMPARE(got.record["input"].get<std::string>(), std::string("Question (aqua): 2+2? \n\tA. 4\nAnswer:"));

        auto typo = distill::to_json(*distill::find_prompt_preset("math"));
        typo["template"]["shots"] = "x";
        QVERIFY(contains(error_of([&] { distill::prompt_preset_from_json(typo, "p.json"); }),
                         "p.json: template: unknown key \"shots\""));
        auto rule = distill::to_json(*distill::find_prompt_preset("math"));
        rule["source_rules"] = {"gsm8k", "gsm9k"};
        QVERIFY(contains(error_of([&] { distill::prompt_preset_from_json(rule, "p.json"); }),
                         "unknown source rule \"gsm9k\""));
        QVERIFY(contains(error_of([] { distill::load_prompt_preset("nope"); }), "math, science, complexqa"));
    }

    void placeholderLookalikesAreReported() {
        QVERIFY(distill::placeholder_warnings("Q: {question}\nA: {answer}\n\n").empty());
        // Braces not followed by a name are plain text on purpose.
        QVERIFY(distill::placeholder_warnings("{} {\"key\": 1} {{question}}").empty());

        const auto spaced = distill::placeholder_warnings("Q: { question }\nA:");
        QCOMPARE(spaced.size(), std::size_t(1));
        QVERIFY(contains(spaced[0], "\"{ question }\" is not a placeholder"));
        QVERIFY(contains(spaced[0], "write {question}"));

        const auto unclosed = distill::placeholder_warnings("Q: {question\nA: {answer");
        QCOMPARE(unclosed.size(), std::size_t(2));
        QVERIFY(contains(unclosed[0], "\"{question\" has no closing"));
        QVERIFY(contains(unclosed[1], "write {answer}"));

        // What is reported is what the formatter writes as is.
        auto preset = *distill::find_prompt_preset("math");
        preset.prompt.query = "Q: {question\nA:";
        const Record line{{"origin", {{"question", "2+2?"}, {"answer", "4"}}}, {"shot", Record::array()}};
        QCOMPARE(distill::PromptFormatter(preset).format(line).record["input"].get<std::string>(),
                 std::string("Q: {question\nA:"));
    }

    void chatConversationsMatchReference() {
        const Record c = fixture("chat.json");
        std::vector<distill::Conversation> got;
        for (const auto& tree : c["trees"])
            for (auto& conversation : distill::conversations_of_tree(tree)) got.push_back(std::move(conversation));
        QCOMPARE(got.size(), c["conversations"].size());
        for (std::size_t i = 0; i < got.size(); ++i)
            QCOMPARE(Record(got[i]), c["conversations"][i]["chat"]);
        QVERIFY(distill::conversations_of_tree(c["trees"][5]).empty());  // the German tree
    }

    void chatPairsMatchReference_data() {
        QTest::addColumn<QString>("name");
        QTest::newRow("llama-2") << "llama-2";
        QTest::newRow("mistral") << "mistral";
    }
    void chatPairsMatchReference() {
        QFETCH(QString, name);
        const Record c = fixture("chat.json");
        const Record& expected = c["seq2seq"][name.toStdString()];
        QVERIFY(expected.size() == 16);
        distill::ChatOptions options;
        options.chat_template = distill::load_chat_template(name.toStdString());
        std::string trees;
        for (const auto& tree : c["trees"]) trees += tree.dump() + "\n";
        std::istringstream in(trees);
        std::ostringstream out, conversations;
        const auto report = distill::chat_stream(in, out, &conversations, options, "trees.jsonl");
        QCOMPARE(report.trees, std::size_t(12));
        QCOMPARE(report.trees_not_english, std::size_t(1));
        QCOMPARE(report.conversations, std::size_t(24));
        QCOMPARE(report.conversations_too_short, std::size_t(8));
        QCOMPARE(report.trailing_prompts_cut, std::size_t(8));
        QCOMPARE(report.written, std::size_t(16));
        std::istringstream lines(out.str());
        std::string line;
        for (const auto& e : expected) {
            QVERIFY(std::getline(lines, line));
            const Record got = Record::parse(line);
            QCOMPARE(got["input"], e["input"]);
            QCOMPARE(got["output"], e["output"]);
            QCOMPARE(got["instruction"], Record(""));
        }
        QVERIFY(!std::getline(lines, line));
        std::istringstream conv(conversations.str());
        for (const auto& e : c["conversations"]) {
            QVERIFY(std::getline(conv, line));
            QCOMPARE(line, distill::python_json_dumps(e));
        }
    }

    void chatRules() {
        const auto& llama = *distill::find_chat_template("llama-2");
        QVERIFY(!distill::chat_record({"u1", "a1", "u2"}, llama));
        const auto four = distill::chat_record({"u1", "a1", "u2", "a2"}, llama);
        const auto five = distill::chat_record({"u1", "a1", "u2", "a2", "u3"}, llama);
        QVERIFY(four && five);
        QCOMPARE(*four, *five);
        QCOMPARE((*four)["output"].get<std::string>(), std::string("a2 </s><s>"));
        const auto chatml = distill::chat_record({"u1", "a1", "u2", "a2"}, *distill::find_chat_template("chatml"));
        QCOMPARE((*chatml)["input"].get<std::string>(),
                 std::string("<|im_start|>system\nYou are a helpful, respectful and honest assistant.<|im_end|>\n"
                             "<|im_start|>user\nu1<|im_end|>\n<|im_start|>assistant\na1<|im_end|>\n"
                             "<|im_start|>user\nu2<|im_end|>\n<|im_start|>assistant\n"));
        QCOMPARE((*chatml)["output"].get<std::string>(), std::string("a2<|im_end|>"));
        // A message whose text looks like a placeholder stays as written.
        const std::string input = (*distill::chat_record({"{message}", "a", "u", "b"}, llama))["input"];
        QVERIFY(contains(input, "<</SYS>>\n\n{message} [/INST] a </s><s>"));
        for (const auto& t : distill::chat_templates()) {
            const auto back = distill::chat_template_from_json(distill::to_json(t), "t.json");
            QCOMPARE(distill::to_json(back), distill::to_json(t));
        }
        auto bad = distill::to_json(llama);
        bad["user"] = "[INST] {mesage}";
        QVERIFY(contains(error_of([&] { distill::chat_template_from_json(bad, "t.json"); }), "{mesage}"));
    }

    void malformedTreesAreSkippedWithTheirId() {
        const Record c = fixture("chat.json");
        Record missing = c["trees"][3];
        missing["message_tree_id"] = "missing-text";
        missing["prompt"]["replies"][0].erase("text");
        Record cycle = c["trees"][3];
        cycle["message_tree_id"] = "cyclic";
        cycle["prompt"]["replies"][0]["replies"][0]["message_id"] = cycle["prompt"]["message_id"];
        // Roles are not read (nor were they by the reference): a reply
        // marked "prompter" is still the assistant's turn of its path.
        Record roles = c["trees"][3];
        roles["message_tree_id"] = "roles";
        roles["prompt"]["replies"][0]["role"] = "prompter";
        roles["prompt"]["replies"][0]["replies"][0].erase("role");
        std::istringstream in(missing.dump() + "\n" + c["trees"][3].dump() + "\n" + cycle.dump() + "\n" +
                              roles.dump() + "\n{\"message_tree_id\": \"empty\"}\n");
        std::ostringstream out;
        distill::ChatOptions options;
        options.chat_template = *distill::find_chat_template("llama-2");
        options.on_bad_line = distill::BadInputPolicy::Skip;
        const auto report = distill::chat_stream(in, out, nullptr, options, "trees.jsonl");
        QCOMPARE(report.trees, std::size_t(5));
        QCOMPARE(report.trees_malformed, std::size_t(3));
        QCOMPARE(report.written, std::size_t(4));
        QCOMPARE(report.problems.size(), std::size_t(3));
        const std::string m0 = report.problems[0].to_string(), m1 = report.problems[1].to_string(),
                          m2 = report.problems[2].to_string();
        QVERIFY2(contains(m0, "trees.jsonl:1: tree missing-text") && contains(m0, "has no \"text\""), m0.c_str());
        QVERIFY2(contains(m1, "trees.jsonl:3: tree cyclic") && contains(m1, "cycle"), m1.c_str());
        QVERIFY2(contains(m2, "tree empty has no \"prompt\"") && contains(m2, "; the tree is skipped"), m2.c_str());
        const std::string written = out.str();
        QCOMPARE(written.substr(0, written.size() / 2), written.substr(written.size() / 2));  // same texts

        // Under Abort (the default) a malformed tree stops the run at its line.
        options.on_bad_line = distill::BadInputPolicy::Abort;
        std::istringstream aborting(c["trees"][3].dump() + "\n" + missing.dump() + "\n");
        std::ostringstream unused;
        const std::string stop = error_of([&] { distill::chat_stream(aborting, unused, nullptr, options, "t.jsonl"); });
        QVERIFY2(stop.rfind("t.jsonl:2: tree missing-text: message 2 of a path has no \"text\"", 0) == 0 &&
                     contains(stop, "run with --on-bad-line skip"),
                 stop.c_str());

        // So does a line that is not JSON.
        std::istringstream broken("{\"prompt\":\n");
        const std::string msg = error_of([&] { distill::chat_stream(broken, out, nullptr, options, "t.jsonl"); });
        QVERIFY2(contains(msg, "t.jsonl:1: invalid JSON"), msg.c_str());
    }

    void chatLengthCheckKeepsBelowMax() {
        const distill::SentencePieceTokenizer tokenizer(llama_tokenizer_path());
        const Record c = fixture("chat.json");
        // Tree 3 with one path only: the first llama-2 pair of the fixture.
        Record tree = c["trees"][3];
        tree["prompt"]["replies"][0]["replies"].erase(1);
        const Record& pair = c["seq2seq"]["llama-2"][0];
        const int count = static_cast<int>(
            tokenizer.encode(pair["input"].get<std::string>() + pair["output"].get<std::string>(), false, true).size());
        distill::ChatOptions options;
        options.chat_template = *distill::find_chat_template("llama-2");
        options.tokenizer = &tokenizer;
        for (const int max : {count, count + 1}) {
            options.max_seq_len = max;
            std::istringstream in(tree.dump() + "\n");
            std::ostringstream out;
            const auto report = distill::chat_stream(in, out, nullptr, options, "trees.jsonl");
            QCOMPARE(report.written, std::size_t(max == count ? 0 : 1));
            QCOMPARE(report.dropped_over_max_seq_len, std::size_t(max == count ? 1 : 0));
        }
    }

    void chatFileWritesBothFilesAtomically() {
        QTemporaryDir dir;
        const std::string trees = (dir.path() + "/trees.jsonl").toStdString();
        const std::string raw = (dir.path() + "/raw.jsonl").toStdString();
        const std::string conv = (dir.path() + "/conv.jsonl").toStdString();
        const Record c = fixture("chat.json");
        {
            std::ofstream f(trees);
            for (const auto& t : c["trees"]) f << t.dump() << "\n";
        }
        distill::ChatOptions options;
        options.chat_template = *distill::find_chat_template("mistral");
        const auto report = distill::chat_file(trees, raw, conv, options);
        QCOMPARE(report.written, std::size_t(16));
        std::ifstream r(raw), v(conv);
        std::string line;
        std::size_t n = 0;
        while (std::getline(v, line)) ++n;
        QCOMPARE(n, std::size_t(24));
        QVERIFY(contains(error_of([&] { distill::chat_file(trees, dir.path().toStdString() + "/no/dir/raw.jsonl",
                                                           "", options); }),
                         "does not exist"));
    }

    void pythonText() {
        QCOMPARE(distill::python_str(Record(true)), std::string("True"));
        QCOMPARE(distill::python_str(Record(nullptr)), std::string("None"));
        QCOMPARE(distill::python_str(Record(3)), std::string("3"));
        QCOMPARE(distill::python_str(Record(2.5)), std::string("2.5"));
        QCOMPARE(distill::python_str(Record::parse("[\"a\", \"it's\", 1, true, {\"k\": null}]")),
                 std::string("['a', \"it's\", 1, True, {'k': None}]"));
        // json.dumps: ", " and ": ", ensure_ascii with lower-case hex and
        // surrogate pairs, the short escapes, DEL escaped too; Python's float
        // repr.
        QCOMPARE(distill::python_json_dumps(
                     Record::parse("{\"a\": [1, 2.0, \"\xC3\xA9\xF0\x9F\x98\x80\\t\\\"\\\\\\u0001\x7F\"], \"b\": {}}")),
                 std::string("{\"a\": [1, 2.0, \"\\u00e9\\ud83d\\ude00\\t\\\"\\\\\\u0001\\u007f\"], \"b\": {}}"));
        QCOMPARE(distill::python_json_dumps(Record::parse("[1e16, 1e-5, 0.1, 123456789012345678901234567890.0]")),
                 std::string("[1e+16, 1e-05, 0.1, 1.2345678901234568e+29]"));
        // What Python 3.11 printed for these: positional up to 16 digits
        // before the point, 4 zeros after it.
        QCOMPARE(distill::python_str(Record::parse("[1e15, 9999999999999998.0, 1234567890123456.8, 0.0001, -0.0, "
                                                   "0.30000000000000004, 5e-324, 123.456, 1e22, 2.5e-5]")),
                 std::string("[1000000000000000.0, 9999999999999998.0, 1234567890123456.8, 0.0001, -0.0, "
                             "0.30000000000000004, 5e-324, 123.456, 1e+22, 2.5e-05]"));
        // repr() of a str escapes what is not printable, by its size.
        QCOMPARE(distill::python_str(Record::parse(R"(["\u200b", "\u00e9", "a\nb", "\u0085", "\u00a0", "\udb40\udc01", )"
                                                   R"("\u2028", "\ud83d\ude42", "\u007f", "\ue000"])")),
                 std::string("['\\u200b', '\xC3\xA9', 'a\\nb', '\\x85', '\\xa0', '\\U000e0001', '\\u2028', "
                             "'\xF0\x9F\x99\x82', '\\x7f', '\\ue000']"));
    }

    // The reference looked answer indices up in a dict, where 1.0 and True
    // are 1 (a pandas column with a gap holds floats).
    void answerIndicesAsPythonFindsThem() {
        const std::vector<std::string> rules = distill::find_prompt_preset("science")->source_rules;
        Record mmlu{{"question", "Q?"}, {"subject", "s"}, {"choices", {"w", "x", "y", "z"}}, {"answer", 1.0}};
        QCOMPARE(distill::to_question_answer(mmlu, rules).answer, Record("B"));
        mmlu["answer"] = true;
        QCOMPARE(distill::to_question_answer(mmlu, rules).answer, Record("B"));
        for (const char* bad : {"1.5", "4", "-1", "\"1\""}) {
            mmlu["answer"] = Record::parse(bad);
            QVERIFY2(contains(error_of([&] { distill::to_question_answer(mmlu, rules); }), "not an answer index 0..3"),
                     bad);
        }
    }
};

QTEST_GUILESS_MAIN(TestFormat)
#include "test_format.moc"
