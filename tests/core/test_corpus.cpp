// The corpus stage (SPEC §1) on real files: tests/data/corpus holds one small
// file per case, good and broken; the streaming and progress cases write
// their large inputs into a temporary directory.
#include <QElapsedTimer>
#include <QObject>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "distill/corpus.h"
#include "distill/error.h"
#include "support/test_support.h"

using distill::BadInputPolicy;
using distill::ColumnMap;
using distill::Record;
using distill::SourceFormat;
using distill::SourceSpec;
using distill::test::error_of;

namespace {

std::string data_path(const std::string& file) {
    return std::string(DISTILL_TEST_DATA) + "/corpus/" + file;
}

SourceSpec spec_for(const std::string& path, ColumnMap columns = {},
                    SourceFormat format = SourceFormat::Auto) {
    SourceSpec spec;
    spec.name = std::filesystem::path(path).filename().string();
    spec.path = path;
    spec.format = format;
    spec.columns = std::move(columns);
    return spec;
}

// A source over tests/data/corpus/FILE.
SourceSpec source(const std::string& file, ColumnMap columns = {},
                  SourceFormat format = SourceFormat::Auto) {
    return spec_for(data_path(file), std::move(columns), format);
}

struct ReadResult {
    std::vector<Record> records;
    distill::SourceReport report;
    std::vector<distill::InputProblem> problems;
};

ReadResult read_all(const SourceSpec& spec, BadInputPolicy policy = BadInputPolicy::Skip) {
    ReadResult result;
    result.report = distill::read_source(
        spec, policy, [&](Record&& record) { result.records.push_back(std::move(record)); },
        &result.problems);
    return result;
}

QString q(const std::string& text) { return QString::fromStdString(text); }

// The message of the distill::Error that reading `spec` throws; empty if none.
QString error_reading(const SourceSpec& spec, BadInputPolicy policy = BadInputPolicy::Abort) {
    return q(error_of([&] { read_all(spec, policy); }));
}

// Compact JSON text: compares value and type at once, and prints on failure.
QString dumped(const Record& value) { return q(value.dump()); }

QStringList keys_of(const Record& record) {
    QStringList keys;
    for (const auto& [key, value] : record.items()) keys << q(key);
    return keys;
}

QStringList questions_of(const std::vector<Record>& records) {
    QStringList questions;
    for (const Record& record : records) questions << q(record.at("question").get<std::string>());
    return questions;
}

// "PATH:LINE: " as every problem message starts.
QString at(const std::string& file, std::size_t line) {
    return q(data_path(file)) + ":" + QString::number(line) + ": ";
}

// Peak resident memory of this process in KiB (VmHWM).
long peak_rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string key;
    while (status >> key) {
        if (key == "VmHWM:") {
            long kib = 0;
            status >> kib;
            return kib;
        }
        status.ignore(1 << 16, '\n');
    }
    return -1;
}

// Lowers the peak to the current RSS where the kernel allows it, so the next
// reading measures only what follows.
void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

// Writes `lines` records of about 1 KiB each in `format` ("jsonl", "json"
// or "csv"), through a small buffer. Record i has answer i.
void write_large_source(const std::string& path, const std::string& format, std::size_t lines) {
    std::ofstream out(path, std::ios::binary);
    const std::string padding(900, 'x');
    const bool csv = format == "csv";
    if (csv) out << "question,answer,padding\n";
    if (format == "json") out << "[\n";
    for (std::size_t i = 0; i < lines; ++i) {
        if (csv) {
            out << "Question number " << i << " about trains?," << i << "," << padding << "\n";
            continue;
        }
        out << R"({"question": "Question number )" << i << R"( about trains?", "answer": )" << i
            << R"(, "padding": ")" << padding << "\"}";
        out << (format == "jsonl" ? "\n" : i + 1 < lines ? ",\n" : "\n]\n");
    }
}

// The answer of a record written by write_large_source: CSV values are strings.
std::int64_t answer_number(const Record& record) {
    const Record& answer = record.at("answer");
    return answer.is_string() ? std::stoll(answer.get<std::string>()) : answer.get<std::int64_t>();
}

class RecordingProgress : public distill::ProgressSink {
public:
    void update(std::string_view stage, std::uint64_t done, std::uint64_t total) override {
        QCOMPARE(q(std::string(stage)), QString("corpus"));
        if (!dones.empty()) QVERIFY(done >= dones.back());
        dones.push_back(done);
        totals.push_back(total);
    }
    bool cancel_requested() const override {
        return cancel_after_updates && dones.size() >= cancel_after_updates;
    }

    std::vector<std::uint64_t> dones;
    std::vector<std::uint64_t> totals;
    std::size_t cancel_after_updates = 0;  // 0: never
};

}  // namespace

class TestCorpus : public QObject {
    Q_OBJECT

private slots:
    // --- readers on good files ---
    void jsonlRenamesInPlaceAndKeepsFieldOrder();
    void jsonlKeepsAnswerTypes();
    void jsonArrayStreamsElements();
    void jsonObjectsOneAfterAnother();
    void csvReadsQuotedNewlinesAndKeepsSpaces();
    void tsvReadsQuotedFieldsAndCrlf();

    // --- mapping ---
    void renameReplacesUnmappedFieldOfTheSameName();
    void renameCanSwapTheTwoColumns();
    void missingMappedColumnListsTheFields();
    void questionMustBeAString();
    void answerMustNotBeNull();
    void unusableColumnMapIsAnError();

    // --- bad input ---
    void truncatedLastLine();
    void malformedJsonLine();
    void invalidUtf8InJsonl();
    void invalidUtf8InCsv();
    void lineThatIsNotAnObject();
    void emptyFileIsAProblemOfTheWholeFile();
    void missingFileIsAnErrorUnderEitherPolicy();
    void csvShortRowAndStrayQuote();
    void csvUnclosedQuote();
    void jsonArrayBadElementsNamedByLine();
    void jsonArraySyntaxErrorStopsUnderEitherPolicy();
    void csvBadHeaderStopsUnderEitherPolicy();
    void formatMismatches();
    void problemToString();

    // --- pooling ---
    void poolSkipCountsAndAbortThrows();
    void poolDedupLaterSourceWins();
    void poolReportsProgressAndHonoursCancel();

    // --- presets and names ---
    void presetsListTheReferenceSources();
    void formatAndPolicyNames();

    // --- scale ---
    void streamingMemoryStaysBounded_data();
    void streamingMemoryStaysBounded();
};

void TestCorpus::jsonlRenamesInPlaceAndKeepsFieldOrder() {
    // BOM, a blank line, a whitespace line and CRLF endings.
    const auto result =
        read_all(source("math_qa.jsonl", {.question = "Problem", .answer = "correct"}),
                 BadInputPolicy::Abort);
    QCOMPARE(result.records.size(), std::size_t{2});
    QCOMPARE(keys_of(result.records[0]), QStringList({"question", "Rationale", "options", "answer",
                                                      "annotated_formula", "category"}));
    QCOMPARE(result.records[0].at("question").get<std::string>(),
             std::string("a train runs 60 km in 1.5 hours. what is its speed?"));
    QCOMPARE(result.records[1].at("answer").get<std::string>(), std::string("a"));
    QCOMPARE(result.records[1].at("category").get<std::string>(), std::string("gain"));
    QCOMPARE(result.report.records, std::size_t{2});
    QCOMPARE(result.report.skipped, std::size_t{0});
    QCOMPARE(result.report.bytes,
             std::uint64_t{std::filesystem::file_size(data_path("math_qa.jsonl"))});
    QCOMPARE(q(result.report.path), q(data_path("math_qa.jsonl")));
    QVERIFY(result.problems.empty());
}

void TestCorpus::jsonlKeepsAnswerTypes() {
    // The last line has no newline; the answers are integers, as in MMLU.
    const auto result = read_all(source("mmlu.jsonl"), BadInputPolicy::Abort);
    QCOMPARE(result.records.size(), std::size_t{2});
    QCOMPARE(keys_of(result.records[1]), QStringList({"question", "subject", "choices", "answer"}));
    QVERIFY(result.records[0].at("answer").is_number_integer());
    QCOMPARE(result.records[0].at("answer").get<int>(), 1);
    QCOMPARE(result.records[1].at("answer").get<int>(), 0);
    QCOMPARE(dumped(result.records[0].at("choices")),
             QString(R"(["oxygen","carbon dioxide","nitrogen"])"));
    QCOMPARE(
        dumped(result.records[1]),
        QString(
            R"({"question":"What is H2O?","subject":"chemistry","choices":["water","salt"],"answer":0})"));
}

void TestCorpus::jsonArrayStreamsElements() {
    const auto result =
        read_all(source("openbookqa.json", {.question = "question_stem", .answer = "answerKey"}),
                 BadInputPolicy::Abort);
    QCOMPARE(result.records.size(), std::size_t{2});
    QCOMPARE(keys_of(result.records[0]), QStringList({"id", "question", "choices", "answer"}));
    QCOMPARE(keys_of(result.records[1]),
             QStringList({"id", "question", "choices", "answer", "score", "extra"}));
    QCOMPARE(result.records[0].at("question").get<std::string>(),
             std::string("The sun is responsible for"));
    QCOMPARE(result.records[0].at("answer").get<std::string>(), std::string("B"));
    QCOMPARE(keys_of(result.records[0].at("choices")), QStringList({"text", "label"}));
    QCOMPARE(result.records[1].at("score").get<double>(), 0.5);
    QVERIFY(result.records[1].at("extra").is_null());
}

// Objects one after another, pretty-printed (json.dump(indent=2) in a loop,
// jq without -c) or not: "auto" reads them as JSON, each object a row,
// reported at the line where it ends; a JSONL whose first line is broken
// stays JSONL, so Skip still skips just that line.
void TestCorpus::jsonObjectsOneAfterAnother() {
    QTemporaryDir dir;
    const std::string pretty = (dir.path() + "/pretty.json").toStdString();
    std::ofstream(pretty) << "\xEF\xBB\xBF{\n  \"q\": \"First?\",\n  \"a\": {\"n\": [1, 2]}\n}\n"
                             "{\"q\": \"Second?\", \"a\": 2}{\"q\": \"Third }?\",\n \"a\": 3}\n\n"
                             "  {\n\"q\": \"Fourth?\",\n\"a\": \"[4]\"\n}";
    std::vector<distill::InputProblem> problems;
    const auto result = read_all(spec_for(pretty, {.question = "q", .answer = "a"}), BadInputPolicy::Abort);
    QCOMPARE(questions_of(result.records), QStringList({"First?", "Second?", "Third }?", "Fourth?"}));
    QCOMPARE(dumped(result.records[0].at("answer")), QString(R"({"n":[1,2]})"));
    QCOMPARE(dumped(result.records[3].at("answer")), QString(R"("[4]")"));
    QCOMPARE(result.report.records, std::size_t{4});

    // A bad row is named by the line it ends on, and Skip goes past it.
    const std::string unmapped = (dir.path() + "/unmapped.json").toStdString();
    std::ofstream(unmapped) << "{\n \"q\": \"Kept?\", \"a\": 1\n}\n{\n \"prompt\": \"x\"\n}\n{\"q\": \"Also?\", \"a\": 2}\n";
    const auto skipped = read_all(spec_for(unmapped, {.question = "q", .answer = "a"}));
    QCOMPARE(questions_of(skipped.records), QStringList({"Kept?", "Also?"}));
    QCOMPARE(skipped.problems.size(), std::size_t{1});
    QCOMPARE(skipped.problems[0].line, std::size_t{6});
    // A syntax error stops the file, at its line.
    const std::string broken = (dir.path() + "/broken.json").toStdString();
    std::ofstream(broken) << "{\n \"q\": \"One?\", \"a\": 1\n}\n{\n \"q\": \"Two?\" \"a\": 2\n}\n";
    QVERIFY2(error_reading(spec_for(broken, {.question = "q", .answer = "a"}), BadInputPolicy::Skip)
                 .startsWith(q(broken) + ":5: invalid JSON"),
             qPrintable(error_reading(spec_for(broken, {.question = "q", .answer = "a"}))));
    // A scalar between the rows is not a row.
    const std::string scalar = (dir.path() + "/scalar.json").toStdString();
    std::ofstream(scalar) << "{\"q\": \"One?\",\n \"a\": 1}\n42\n";
    QVERIFY2(error_reading(spec_for(scalar, {.question = "q", .answer = "a"}))
                 .contains("expected a JSON array of objects or objects one after another, found a number"),
             qPrintable(error_reading(spec_for(scalar, {.question = "q", .answer = "a"}))));

    // JSONL with a broken first line: still JSONL, the line skipped.
    const std::string jsonl = (dir.path() + "/broken_first.jsonl").toStdString();
    std::ofstream(jsonl) << "{\"q\": \"Bad\" \"a\": 1}\n{\"q\": \"Good?\", \"a\": 2}\n";
    const auto lines = read_all(spec_for(jsonl, {.question = "q", .answer = "a"}));
    QCOMPARE(questions_of(lines.records), QStringList({"Good?"}));
    QCOMPARE(lines.problems.size(), std::size_t{1});
    QCOMPARE(lines.problems[0].line, std::size_t{1});
}

void TestCorpus::csvReadsQuotedNewlinesAndKeepsSpaces() {
    const auto result = read_all(source("piqa.csv", {.question = "goal", .answer = "label"}),
                                 BadInputPolicy::Abort);
    QCOMPARE(result.records.size(), std::size_t{2});
    QCOMPARE(keys_of(result.records[0]), QStringList({"question", "sol1", "sol2", "answer"}));
    QCOMPARE(result.records[0].at("question").get<std::string>(),
             std::string("How do I boil water?"));
    QCOMPARE(result.records[0].at("sol1").get<std::string>(),
             std::string("Put it in a pot\nand heat it."));
    QCOMPARE(result.records[1].at("sol1").get<std::string>(), std::string("Use a \"door stop\""));
    QCOMPARE(result.records[1].at("sol2").get<std::string>(), std::string("  Use glue."));
    // CSV values are strings, whatever they look like.
    QCOMPARE(dumped(result.records[0].at("answer")), QString(R"("0")"));
}

void TestCorpus::tsvReadsQuotedFieldsAndCrlf() {
    const auto result =
        read_all(source("social_i_qa.tsv", {.question = "question", .answer = "label"}),
                 BadInputPolicy::Abort);
    QCOMPARE(result.records.size(), std::size_t{2});
    QCOMPARE(keys_of(result.records[0]), QStringList({"context", "question", "answerA", "answer"}));
    QCOMPARE(result.records[0].at("answerA").get<std::string>(),
             std::string("to buy food, \"fresh\""));
    QCOMPARE(result.records[0].at("answer").get<std::string>(), std::string("1"));
    QCOMPARE(result.records[1].at("context").get<std::string>(),
             std::string("Remy gave a gift, smiling."));
    QCOMPARE(result.records[1].at("answer").get<std::string>(), std::string("2"));
}

void TestCorpus::renameReplacesUnmappedFieldOfTheSameName() {
    // The row already has "question" and "answer" fields, but the map says
    // the question is "query": the mapped columns win, where they stand.
    const auto result =
        read_all(source("collision.jsonl", {.question = "query", .answer = "response"}),
                 BadInputPolicy::Abort);
    QCOMPARE(result.records.size(), std::size_t{1});
    QCOMPARE(dumped(result.records[0]),
             QString(R"({"id":1,"question":"What is 6 * 7?","answer":"42"})"));
}

void TestCorpus::renameCanSwapTheTwoColumns() {
    const auto result =
        read_all(source("dedup_first.jsonl", {.question = "answer", .answer = "question"}),
                 BadInputPolicy::Abort);
    QCOMPARE(dumped(result.records[0]),
             QString(R"({"answer":"q1","question":"first 1","from":"first"})"));
}

void TestCorpus::missingMappedColumnListsTheFields() {
    const auto spec = source("missing_column.jsonl", {.question = "Problem", .answer = "correct"});
    QCOMPARE(error_reading(spec),
             at("missing_column.jsonl", 2) +
                 R"(no column "Problem" to use as the question (the row has "problem", "correct", )"
                 R"("category"); fix the source's column map)");

    const auto skipped = read_all(spec);
    QCOMPARE(skipped.records.size(), std::size_t{1});
    QCOMPARE(skipped.report.skipped, std::size_t{1});
    QCOMPARE(skipped.problems.size(), std::size_t{1});
    QCOMPARE(skipped.problems[0].line, std::size_t{2});

    // The answer column is checked too.
    QVERIFY(error_reading(
                source("missing_column.jsonl", {.question = "Problem", .answer = "rationale"}))
                .startsWith(at("missing_column.jsonl", 1) +
                            R"(no column "rationale" to use as the answer)"));
}

void TestCorpus::questionMustBeAString() {
    QCOMPARE(
        error_reading(source("question_not_string.jsonl")),
        at("question_not_string.jsonl", 1) +
            R"(the question column "question" holds a number, not a string; map the question to a text column)");
    const auto result = read_all(source("question_not_string.jsonl"));
    QCOMPARE(result.records.size(), std::size_t{1});
    QCOMPARE(dumped(result.records[0].at("answer")), QString("8"));
}

void TestCorpus::answerMustNotBeNull() {
    // Any other type is an answer some source rule reads (8 stays 8).
    QCOMPARE(error_reading(source("answer_null.jsonl")),
             at("answer_null.jsonl", 1) +
                 R"(the answer column "answer" is null; give the row its answer, or leave the row out)");
    const auto result = read_all(source("answer_null.jsonl"));
    QCOMPARE(result.records.size(), std::size_t{1});
    QCOMPARE(dumped(result.records[0].at("answer")), QString("8"));
}

void TestCorpus::unusableColumnMapIsAnError() {
    const QString same = error_reading(
        source("mmlu.jsonl", {.question = "question", .answer = "question"}), BadInputPolicy::Skip);
    QVERIFY2(same.startsWith(q(data_path("mmlu.jsonl")) + ": ") &&
                 same.contains("for both question and answer"),
             qPrintable(same));
    const QString empty = error_reading(source("mmlu.jsonl", {.question = "", .answer = "answer"}),
                                        BadInputPolicy::Skip);
    QVERIFY2(empty.contains("leaves the question or answer column empty"), qPrintable(empty));
}

void TestCorpus::truncatedLastLine() {
    const QString error = error_reading(source("truncated.jsonl"));
    QVERIFY2(error.startsWith(at("truncated.jsonl", 3) +
                              "the last line is cut off (invalid JSON at column 27: "),
             qPrintable(error));
    QVERIFY2(error.endsWith("; complete or delete the last line; was the file fully written?"),
             qPrintable(error));

    const auto result = read_all(source("truncated.jsonl"));
    QCOMPARE(questions_of(result.records), QStringList({"first", "second"}));
    QCOMPARE(result.report.skipped, std::size_t{1});
    QCOMPARE(result.problems.size(), std::size_t{1});
    QCOMPARE(result.problems[0].line, std::size_t{3});
    QCOMPARE(q(result.problems[0].path), q(data_path("truncated.jsonl")));
}

void TestCorpus::malformedJsonLine() {
    const QString error = error_reading(source("malformed.jsonl"));
    QVERIFY2(error.startsWith(at("malformed.jsonl", 2) +
                              "invalid JSON at column 34: syntax error while parsing value"),
             qPrintable(error));
    QVERIFY2(error.endsWith("; fix or delete the line"), qPrintable(error));
    // nlohmann's excerpt of what it read is left out of the one-line message.
    QVERIFY2(!error.contains("last read"), qPrintable(error));

    const auto result = read_all(source("malformed.jsonl"));
    QCOMPARE(questions_of(result.records), QStringList({"first", "third"}));
    QCOMPARE(result.report.skipped, std::size_t{1});
}

void TestCorpus::invalidUtf8InJsonl() {
    QCOMPARE(error_reading(source("invalid_utf8.jsonl")),
             at("invalid_utf8.jsonl", 2) +
                 "invalid UTF-8 at byte 18 of the line; convert the file to UTF-8 (e.g. iconv -f "
                 "latin1 -t utf-8)");
    const auto result = read_all(source("invalid_utf8.jsonl"));
    QCOMPARE(questions_of(result.records), QStringList({"tea", "water"}));
    QCOMPARE(result.report.skipped, std::size_t{1});
    QCOMPARE(result.problems[0].line, std::size_t{2});
}

void TestCorpus::invalidUtf8InCsv() {
    QCOMPARE(
        error_reading(source("invalid_utf8.csv")),
        at("invalid_utf8.csv", 3) +
            R"(invalid UTF-8 in column "question" at byte 4; convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8))");
    const auto result = read_all(source("invalid_utf8.csv"));
    QCOMPARE(questions_of(result.records), QStringList({"tea", "water"}));
    QCOMPARE(result.report.skipped, std::size_t{1});
}

void TestCorpus::lineThatIsNotAnObject() {
    QCOMPARE(error_reading(source("not_object.jsonl")),
             at("not_object.jsonl", 2) +
                 "expected a JSON object, found an array; make each record one JSON object");
    const auto result = read_all(source("not_object.jsonl"));
    QCOMPARE(questions_of(result.records), QStringList({"first", "fourth"}));
    QCOMPARE(result.report.skipped, std::size_t{2});
    QCOMPARE(result.problems.size(), std::size_t{2});
    QCOMPARE(result.problems[1].line, std::size_t{3});
    QCOMPARE(q(result.problems[1].message),
             QString("expected a JSON object, found a number; make each record one JSON object"));
}

void TestCorpus::emptyFileIsAProblemOfTheWholeFile() {
    QCOMPARE(
        error_reading(source("empty.jsonl")),
        q(data_path("empty.jsonl")) + ": the file holds no records; check the file and its format");
    const auto result = read_all(source("empty.jsonl"));
    QCOMPARE(result.report.records, std::size_t{0});
    QCOMPARE(result.report.skipped, std::size_t{0});
    QCOMPARE(result.problems.size(), std::size_t{1});
    QCOMPARE(result.problems[0].line, std::size_t{0});

    // A file whose every row was skipped says so.
    const auto all_bad =
        read_all(source("question_not_string.jsonl", {.question = "prompt", .answer = "answer"}));
    QCOMPARE(all_bad.records.size(), std::size_t{0});
    QCOMPARE(all_bad.problems.back().line, std::size_t{0});
    QCOMPARE(q(all_bad.problems.back().message),
             QString("no usable records: all 2 rows were left out; check the file and its format"));
}

void TestCorpus::missingFileIsAnErrorUnderEitherPolicy() {
    const QString expected =
        q(data_path("no_such_file.jsonl")) +
        ": cannot open: No such file or directory; point the source at a readable local file";
    QCOMPARE(error_reading(source("no_such_file.jsonl"), BadInputPolicy::Abort), expected);
    QCOMPARE(error_reading(source("no_such_file.jsonl"), BadInputPolicy::Skip), expected);
    // pool_sources checks every file before reading any.
    QCOMPARE(q(error_of([] {
                 distill::pool_sources({source("mmlu.jsonl"), source("no_such_file.jsonl")},
                                       BadInputPolicy::Skip);
             })),
             expected);
    const QString directory = error_reading(spec_for(DISTILL_TEST_DATA));
    QVERIFY2(directory.contains("is a directory"), qPrintable(directory));
}

void TestCorpus::csvShortRowAndStrayQuote() {
    QCOMPARE(error_reading(source("short_row.csv")),
             at("short_row.csv", 3) +
                 "the row has 2 fields, the header 3; make the row match the header; quote fields "
                 "that hold the "
                 "delimiter or a line break");
    const auto result = read_all(source("short_row.csv"));
    QCOMPARE(questions_of(result.records), QStringList({"What is 2+2?", "Multi\nline question"}));
    QCOMPARE(result.report.skipped, std::size_t{2});
    QCOMPARE(result.problems.size(), std::size_t{2});
    QCOMPARE(result.problems[1].line, std::size_t{4});
    QVERIFY2(q(result.problems[1].message)
                 .startsWith("malformed CSV at column 5: a quote inside an unquoted field"),
             result.problems[1].message.c_str());
}

void TestCorpus::csvUnclosedQuote() {
    const auto result = read_all(source("unclosed_quote.csv"));
    QCOMPARE(questions_of(result.records), QStringList({"fine"}));
    QCOMPARE(result.report.skipped, std::size_t{1});
    QCOMPARE(result.problems[0].to_string(),
             (at("unclosed_quote.csv", 3) +
              "a quoted field is never closed; close the quote (only quoted fields may span lines)")
                 .toStdString());
}

void TestCorpus::jsonArrayBadElementsNamedByLine() {
    QCOMPARE(error_reading(source("bad_element.json")),
             at("bad_element.json", 3) +
                 "expected a JSON object, found a string; make each record one JSON object");
    const auto result = read_all(source("bad_element.json"));
    QCOMPARE(questions_of(result.records), QStringList({"Good one?", "Last good?"}));
    QCOMPARE(dumped(result.records[1].at("answer")), QString("3"));
    QCOMPARE(result.report.skipped, std::size_t{3});
    QCOMPARE(result.problems.size(), std::size_t{3});
    // Reported at the line where the element ends.
    QCOMPARE(
        result.problems[1].to_string(),
        (at("bad_element.json", 7) +
         R"(no column "question" to use as the question (the row has "prompt", "answer"); fix the source's column map)")
            .toStdString());
    // The lexer reads the newline after the number to end it; still line 9.
    QCOMPARE(result.problems[2].line, std::size_t{9});
    QCOMPARE(q(result.problems[2].message),
             QString("expected a JSON object, found a number; make each record one JSON object"));
}

void TestCorpus::jsonArraySyntaxErrorStopsUnderEitherPolicy() {
    for (const BadInputPolicy policy : {BadInputPolicy::Abort, BadInputPolicy::Skip}) {
        const QString error = error_reading(source("broken_array.json"), policy);
        // The column is where the unexpected token ("answer") ends.
        QVERIFY2(error.startsWith(at("broken_array.json", 3) +
                                  "invalid JSON at column 32: syntax error while parsing object - "
                                  "unexpected string literal"),
                 qPrintable(error));
        QVERIFY2(error.endsWith("(JSONL, one object per line, can skip bad lines)"), qPrintable(error));
    }

    // A file cut off inside the array: the last line, not the one after it.
    QVERIFY2(error_reading(source("truncated_array.json"), BadInputPolicy::Skip)
                 .startsWith(at("truncated_array.json", 3) +
                             "invalid JSON at column 20: syntax error while parsing "
                             "object key - unexpected end of input"),
             qPrintable(error_reading(source("truncated_array.json"))));
}

void TestCorpus::csvBadHeaderStopsUnderEitherPolicy() {
    QCOMPARE(
        error_reading(source("duplicate_header.csv"), BadInputPolicy::Skip),
        at("duplicate_header.csv", 1) +
            R"(unreadable header row: the header names column "question" twice; give every column its own name)");
}

void TestCorpus::formatMismatches() {
    // As JSON, a lone object is a row too (objects one after another); Auto
    // picks JSONL for it, its object ending on its first line.
    QCOMPARE(read_all(source("object_not_array.json", {}, SourceFormat::JsonArray), BadInputPolicy::Abort)
                 .records.size(),
             std::size_t{1});
    QCOMPARE(read_all(source("object_not_array.json"), BadInputPolicy::Abort).records.size(),
             std::size_t{1});
    QCOMPARE(error_reading(source("plain.txt")),
             at("plain.txt", 1) +
                 "cannot tell the format: the file starts with 'h', not '[' (JSON array) or '{' "
                 "(JSONL); set the "
                 "source's format");
    // An explicit format overrides the extension.
    const auto as_csv = read_all(source("plain.txt", {}, SourceFormat::Csv));
    QCOMPARE(as_csv.records.size(), std::size_t{0});
    QCOMPARE(as_csv.problems.size(), std::size_t{1});
}

void TestCorpus::problemToString() {
    const distill::InputProblem line{"a/b.jsonl", 12, "bad thing; fix it"};
    QCOMPARE(line.to_string(), std::string("a/b.jsonl:12: bad thing; fix it"));
    const distill::InputProblem file{"a/b.jsonl", 0, "empty; fix it"};
    QCOMPARE(file.to_string(), std::string("a/b.jsonl: empty; fix it"));
}

void TestCorpus::poolSkipCountsAndAbortThrows() {
    const std::vector<SourceSpec> sources{
        source("math_qa.jsonl", {.question = "Problem", .answer = "correct"}),
        source("not_object.jsonl")};
    const distill::Corpus corpus = distill::pool_sources(sources, BadInputPolicy::Skip);
    QCOMPARE(corpus.records.size(), std::size_t{4});
    QCOMPARE(corpus.source_of, (std::vector<std::uint32_t>{0, 0, 1, 1}));
    QCOMPARE(corpus.report.sources.size(), std::size_t{2});
    QCOMPARE(corpus.report.sources[0].skipped, std::size_t{0});
    QCOMPARE(corpus.report.sources[1].skipped, std::size_t{2});
    QCOMPARE(corpus.report.sources[1].records, std::size_t{2});
    QCOMPARE(corpus.report.skipped(), std::size_t{2});
    QCOMPARE(corpus.report.problems.size(), std::size_t{2});
    QCOMPARE(q(corpus.report.problems[0].path), q(data_path("not_object.jsonl")));

    // Under Abort the first bad line ends the pooling: no corpus comes back.
    QCOMPARE(q(error_of([&] { distill::pool_sources(sources, BadInputPolicy::Abort); })),
             at("not_object.jsonl", 2) +
                 "expected a JSON object, found an array; make each record one JSON object");
}

void TestCorpus::poolDedupLaterSourceWins() {
    // dedup_first: q1, q2, q3, q3 again; dedup_second (CSV with a byte
    // order mark): q2, q4, q1.
    const distill::Corpus corpus = distill::pool_sources(
        {source("dedup_first.jsonl"), source("dedup_second.csv")}, BadInputPolicy::Abort);
    QCOMPARE(questions_of(corpus.records), QStringList({"q1", "q2", "q3", "q4"}));
    QStringList answers;
    for (const Record& record : corpus.records)
        answers << q(record.at("answer").get<std::string>());
    QCOMPARE(answers, QStringList({"second 1", "second 2", "first 3b", "second 4"}));
    QCOMPARE(corpus.source_of, (std::vector<std::uint32_t>{1, 1, 0, 1}));
    QCOMPARE(corpus.report.duplicates_replaced, std::size_t{3});
    QCOMPARE(dumped(corpus.records[0]),
             QString(R"({"question":"q1","answer":"second 1","from":"second"})"));
}

void TestCorpus::poolReportsProgressAndHonoursCancel() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string a = dir.filePath("a.jsonl").toStdString();
    const std::string b = dir.filePath("b.jsonl").toStdString();
    write_large_source(a, "jsonl", 3000);  // ~3 MB each
    write_large_source(b, "jsonl", 3000);
    const std::uint64_t total = std::filesystem::file_size(a) + std::filesystem::file_size(b);
    const std::vector<SourceSpec> sources{spec_for(a), spec_for(b)};

    RecordingProgress progress;
    const auto corpus = distill::pool_sources(sources, BadInputPolicy::Abort, &progress);
    QCOMPARE(corpus.records.size(), std::size_t{3000});  // b repeats a's questions
    QCOMPARE(corpus.report.duplicates_replaced, std::size_t{3000});
    QVERIFY(progress.dones.size() >= 6);
    QCOMPARE(progress.dones.back(), total);
    for (const std::uint64_t t : progress.totals) QCOMPARE(t, total);

    RecordingProgress cancelling;
    cancelling.cancel_after_updates = 2;
    QVERIFY_THROWS_EXCEPTION(distill::Cancelled,
                             distill::pool_sources(sources, BadInputPolicy::Abort, &cancelling));
    QCOMPARE(cancelling.dones.size(), std::size_t{2});
}

void TestCorpus::presetsListTheReferenceSources() {
    const distill::DomainPreset* math = distill::find_domain_preset("math");
    QVERIFY(math);
    QStringList sources;
    for (const SourceSpec& s : math->sources)
        sources << q(s.name + "(" + s.columns.question + "," + s.columns.answer + ")");
    QCOMPARE(sources,
             QStringList({"gsm8k(question,answer)", "math_qa(Problem,correct)",
                          "TAL-SCQ5K-EN(problem,answer_value)", "MetaMathQA(query,response)",
                          "MathInstruct(instruction,output)"}));
    for (const SourceSpec& s : math->sources) {
        QVERIFY(s.path.empty());
        QCOMPARE(s.format, SourceFormat::Auto);
        QVERIFY(!s.origin.empty());
    }

    QStringList domains;
    for (const distill::DomainPreset& preset : distill::domain_presets()) domains << q(preset.name);
    QCOMPARE(domains, QStringList({"math", "science", "complexqa1", "complexqa", "cnn", "bigbench",
                                   "chat"}));
    QCOMPARE(distill::find_domain_preset("science")->sources.at(2).columns.question,
             std::string("question_stem"));
    QCOMPARE(distill::find_domain_preset("complexqa")->sources.size(), std::size_t{6});
    QCOMPARE(distill::find_domain_preset("complexqa1")->sources.size(), std::size_t{5});
    QCOMPARE(distill::find_domain_preset("cnn")->sources.at(0).columns.answer,
             std::string("highlights"));
    QVERIFY(!distill::find_domain_preset("no-such-domain"));
}

void TestCorpus::formatAndPolicyNames() {
    for (const SourceFormat format :
         {SourceFormat::Auto, SourceFormat::Jsonl, SourceFormat::JsonArray, SourceFormat::Csv,
          SourceFormat::Tsv})
        QCOMPARE(distill::source_format_from_string(distill::to_string(format)), format);
    QCOMPARE(distill::to_string(SourceFormat::JsonArray), std::string("json"));
    QCOMPARE(q(error_of([] { distill::source_format_from_string("xml"); })),
             QString(R"(unknown source format "xml"; use one of: auto, jsonl, json, csv, tsv)"));

    QCOMPARE(distill::bad_input_policy_from_string("skip"), BadInputPolicy::Skip);
    QCOMPARE(distill::to_string(BadInputPolicy::Abort), std::string("abort"));
    QCOMPARE(q(error_of([] { distill::bad_input_policy_from_string("ignore"); })),
             QString(R"(unknown bad-input policy "ignore"; use one of: abort, skip)"));
}

void TestCorpus::streamingMemoryStaysBounded_data() {
    QTest::addColumn<QString>("format");
    QTest::newRow("jsonl") << "jsonl";
    QTest::newRow("json array") << "json";
    QTest::newRow("csv") << "csv";
}

void TestCorpus::streamingMemoryStaysBounded() {
    QFETCH(QString, format);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("large." + format).toStdString();
    constexpr std::size_t kLines = 300'000;  // ~300 MB
    write_large_source(path, format.toStdString(), kLines);
    const std::uint64_t file_bytes = std::filesystem::file_size(path);
    QVERIFY(file_bytes > 280'000'000);

    reset_peak_rss();
    const long before_kib = peak_rss_kib();
    QVERIFY(before_kib > 0);
    QElapsedTimer timer;
    timer.start();
    std::size_t records = 0;
    std::int64_t answer_sum = 0;
    const SourceSpec spec =
        spec_for(path, {}, distill::source_format_from_string(format.toStdString()));
    const auto report = distill::read_source(spec, BadInputPolicy::Abort, [&](Record&& record) {
        ++records;
        answer_sum += answer_number(record);
    });
    const long growth_kib = peak_rss_kib() - before_kib;
    qInfo("read %.0f MB in %lld ms; peak RSS %ld KiB before, grew by %ld KiB", file_bytes / 1e6,
          static_cast<long long>(timer.elapsed()), before_kib, growth_kib);

    QCOMPARE(records, kLines);
    QCOMPARE(report.records, kLines);
    QCOMPARE(answer_sum, static_cast<std::int64_t>(kLines * (kLines - 1) / 2));
    QVERIFY2(growth_kib < 64 * 1024,
             qPrintable(QString("peak RSS grew by %1 KiB").arg(growth_kib)));
}

QTEST_GUILESS_MAIN(TestCorpus)
#include "test_corpus.moc"
