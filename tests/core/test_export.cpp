// The export stage read back by the real consumer: Debian's python3-torch
// loads train.pt / valid.pt with torch.load(weights_only=True) and every
// field, dtype and token is compared with what our tokenizer gives; the
// shuffle is compared with torch.randperm / random_split themselves. Plus
// bad raw lines, token-length statistics, and failures (an output folder
// that cannot be written, a full disk, cancel) that must leave a previous
// export untouched and nothing behind.
#include <QtTest>

#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <xxhash.h>

#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "distill/error.h"
#include "distill/export.h"
#include "distill/llm_tokenizer.h"
#include "distill/progress.h"
#include "support/test_support.h"

using namespace distill::test;

using distill::Record;
namespace fs = std::filesystem;

namespace {

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::vector<std::int64_t> as_int64(const std::vector<std::size_t>& v) { return {v.begin(), v.end()}; }

// Rows with what a real raw file holds: an empty and a multiple-choice
// instruction, non-ASCII text, a key order with instruction last (cnn and
// chat), an extra string field, an empty prompt and rows longer than the limit.
std::vector<Record> sample_rows() {
    std::vector<Record> rows;
    const char* words[] = {"the", "cat", "sat", "on", "a", "mat", "café", "数学", "😀", "7", "dogs", "\n", "Q:"};
    std::mt19937 rng(5);
    for (int i = 0; i < 23; ++i) {
        std::string input = "Q:", output;
        for (int w = 0, n = int(rng() % 40) + 1; w < n; ++w) input += std::string(" ") + words[rng() % 13];
        input += "\nA:";
        for (int w = 0, n = int(rng() % 20) + 1; w < n; ++w) output += std::string(" ") + words[rng() % 13];
        Record row = Record::object();
        const std::string instruction = i % 3 ? "" : "The following are multiple choice questions (with answers).\n";
        if (i % 4 == 1) {
            row["input"] = input;
            row["output"] = output;
            row["instruction"] = instruction;
        } else {
            row["instruction"] = instruction;
            row["input"] = input;
            row["output"] = output;
        }
        if (i == 5) row["source"] = "gsm8k";
        rows.push_back(row);
    }
    rows.push_back({{"instruction", ""}, {"input", ""}, {"output", "only an answer"}});
    return rows;
}

std::string jsonl_of(const std::vector<Record>& rows) {
    std::string out;
    for (const auto& r : rows) out += r.dump() + "\n";
    return out;
}

// train.pt and valid.pt as Python sees them, plus their zip layout.
constexpr const char* kLoadScript = R"PY(
import json, sys, zipfile, torch
out = {}
for path in sys.argv[1:]:
    rows = torch.load(path, weights_only=True)
    assert type(rows) is list, type(rows)
    got = []
    for r in rows:
        assert type(r) is dict, type(r)
        d = {"keys": list(r.keys())}
        for k, v in r.items():
            if isinstance(v, torch.Tensor):
                d[k] = {"dtype": str(v.dtype), "shape": list(v.shape), "contiguous": v.is_contiguous(),
                        "values": v.tolist()}
            else:
                assert type(v) is str, (k, type(v))
                d[k] = v
        got.append(d)
    z = zipfile.ZipFile(path)
    entries = []
    with open(path, "rb") as f:
        for i in z.infolist():
            f.seek(i.header_offset + 26)
            name_len, extra_len = int.from_bytes(f.read(2), "little"), int.from_bytes(f.read(2), "little")
            entries.append({"name": i.filename, "stored": i.compress_type == zipfile.ZIP_STORED,
                            "data_offset": i.header_offset + 30 + name_len + extra_len})
    out[path] = {"rows": got, "entries": entries, "version": z.read("archive/version").decode()}
print(json.dumps(out))
)PY";

std::vector<std::string> folder_listing(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

class TestExport : public QObject {
    Q_OBJECT

    std::unique_ptr<distill::SentencePieceTokenizer> tokenizer_;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(QFile::exists(QString::fromStdString(llama_tokenizer_path())),
                 "the Llama-2 tokenizer is missing: run installer/fetch-tokenizer.sh "
                 "(CTest passes its path in DISTILL_LLAMA_TOKENIZER)");
        tokenizer_ = std::make_unique<distill::SentencePieceTokenizer>(llama_tokenizer_path());
    }

    void shuffleIsTorchRandpermAndRandomSplit() {
        const Record cases = {{{"n", 0}, {"f", 0.0}, {"seed", 42}},     {{"n", 1}, {"f", 0.0}, {"seed", 42}},
                              {{"n", 10}, {"f", 0.0}, {"seed", 42}},    {{"n", 2000}, {"f", 0.0}, {"seed", 42}},
                              {{"n", 101}, {"f", 0.1}, {"seed", 42}},   {{"n", 1000}, {"f", 0.03865}, {"seed", 42}},
                              {{"n", 7}, {"f", 0.5}, {"seed", 7}},      {{"n", 3}, {"f", 0.9}, {"seed", 1337}},
                              {{"n", 30001}, {"f", 0.05}, {"seed", 42}}};
        const auto randperm = run_python(R"PY(
import json, sys, torch
from torch.utils.data import random_split
out = []
for c in json.loads(sys.argv[1]):
    n, f, seed = c["n"], c["f"], c["seed"]
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)).tolist()
    train, valid = random_split(range(n), [1.0 - f, f], generator=torch.Generator().manual_seed(seed))
    out.append({"perm": perm, "train": list(train.indices), "valid": list(valid.indices)})
print(json.dumps(out))
)PY",
                                         {QString::fromStdString(cases.dump())});
        QVERIFY(randperm);
        const Record expected = Record::parse(randperm->toStdString());
        QCOMPARE(expected.size(), cases.size());
        for (std::size_t i = 0; i < cases.size(); ++i) {
            const auto& c = cases[i];
            const auto split = distill::random_split(c["n"].get<std::size_t>(), c["f"].get<double>(),
                                                     c["seed"].get<std::uint64_t>());
            QCOMPARE(as_int64(split.train), expected[i]["train"].get<std::vector<std::int64_t>>());
            QCOMPARE(as_int64(split.valid), expected[i]["valid"].get<std::vector<std::int64_t>>());
            if (c["f"].get<double>() == 0.0)
                QCOMPARE(as_int64(split.train), expected[i]["perm"].get<std::vector<std::int64_t>>());
        }
        QVERIFY(contains(error_of([] { distill::random_split(10, 1.0, 42); }), "valid fraction"));
        QVERIFY(contains(error_of([] { distill::random_split(10, -0.1, 42); }), "[0, 1)"));
    }

    void tokenizesLikeLitGptPrepareSample() {
        const auto& t = *tokenizer_;
        const auto full = t.encode("The following:\nQ: 2+2?\nA: 4", false, true);
        const auto prompt = t.encode("The following:\nQ: 2+2?\nA:");
        auto row = distill::tokenize_row("The following:\n", "Q: 2+2?\nA:", " 4", t, 2048, false);
        QCOMPARE(row.input_ids, full);
        QCOMPARE(row.input_ids_no_response, prompt);
        QCOMPARE(row.labels, full);
        QCOMPARE(row.full_length, full.size());
        QVERIFY(!row.truncated());

        row = distill::tokenize_row("The following:\n", "Q: 2+2?\nA:", " 4", t, 2048, true);
        QCOMPARE(row.input_ids, full);
        for (std::size_t i = 0; i < full.size(); ++i)
            QCOMPARE(row.labels[i], i < prompt.size() ? distill::kIgnoreIndex : full[i]);

        // Cut to the limit after EOS is appended (the EOS goes), both encodings.
        row = distill::tokenize_row("The following:\n", "Q: 2+2?\nA:", " 4", t, 5, true);
        QCOMPARE(row.input_ids, std::vector<std::int32_t>(full.begin(), full.begin() + 5));
        QCOMPARE(row.input_ids_no_response, std::vector<std::int32_t>(prompt.begin(), prompt.begin() + 5));
        QCOMPARE(row.labels, std::vector<std::int32_t>(5, distill::kIgnoreIndex));
        QCOMPARE(row.full_length, full.size());
        QVERIFY(row.truncated());
        QVERIFY(contains(error_of([&] { distill::tokenize_row("", "", "x", t, 0, false); }), "not positive"));
    }

    void trainAndValidLoadWithWeightsOnly() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        const auto rows = sample_rows();
        const std::vector<Record> first(rows.begin(), rows.begin() + 10), second(rows.begin() + 10, rows.end());
        write_text(root / "math_prompt_data.jsonl", jsonl_of(first));
        write_text(root / "cnn_prompt_data.jsonl", jsonl_of(second));
        distill::ExportOptions options;
        options.max_seq_len = 24;  // short enough that some rows are cut
        options.mask_inputs = true;
        options.valid_fraction = 0.25;
        const auto report = distill::export_dataset(
            {(root / "math_prompt_data.jsonl").string(), (root / "cnn_prompt_data.jsonl").string()}, *tokenizer_,
            (root / "out").string(), options);
        QCOMPARE(report.rows, rows.size());
        QCOMPARE(report.train_rows + report.valid_rows, rows.size());
        QCOMPARE(report.valid_rows, std::size_t(6));  // floor(24 * 0.25)
        QCOMPARE(folder_listing(root / "out"), (std::vector<std::string>{"manifest.json", "train.pt", "valid.pt"}));

        // A split too small for one validation row writes an empty list (read
        // back in the same Python run: importing torch takes seconds) ...
        write_text(root / "one.jsonl", jsonl_of({rows.front()}));
        const auto one_report =
            distill::export_dataset({(root / "one.jsonl").string()}, *tokenizer_, (root / "one").string(), options);
        QCOMPARE(one_report.valid_rows, std::size_t(0));
        // ... but an input without rows is refused, with nothing written: an
        // empty train.pt would only fail the first training step.
        write_text(root / "empty.jsonl", "");
        const std::string why = error_of(
            [&] { distill::export_dataset({(root / "empty.jsonl").string()}, *tokenizer_, (root / "empty").string()); });
        QVERIFY2(why.find("no rows to export: " + (root / "empty.jsonl").string() + " holds no") != std::string::npos,
                 why.c_str());
        QVERIFY(!fs::exists(root / "empty"));

        const QString train = QString::fromStdString((root / "out" / "train.pt").string());
        const QString valid = QString::fromStdString((root / "out" / "valid.pt").string());
        const QString empty = QString::fromStdString((root / "one" / "valid.pt").string());
        const auto python_view = run_python(kLoadScript, {train, valid, empty});
        QVERIFY(python_view);
        const Record loaded = Record::parse(python_view->toStdString());
        QCOMPARE(loaded[empty.toStdString()]["rows"].size(), std::size_t(0));
        const auto split = distill::random_split(rows.size(), 0.25, 42);
        std::size_t truncated = 0;
        for (const auto& [path, order] : {std::pair{train, split.train}, std::pair{valid, split.valid}}) {
            const Record& file = loaded[path.toStdString()];
            QCOMPARE(file["version"].get<std::string>(), std::string("3\n"));
            QCOMPARE(file["rows"].size(), order.size());
            for (std::size_t i = 0; i < order.size(); ++i) {
                const Record& raw = rows[order[i]];
                const Record& got = file["rows"][i];
                std::vector<std::string> keys;
                for (const auto& [k, v] : raw.items()) {
                    keys.push_back(k);
                    QCOMPARE(got[k].get<std::string>(), v.get<std::string>());
                }
                for (const char* k : {"input_ids", "input_ids_no_response", "labels"}) keys.push_back(k);
                QCOMPARE(got["keys"].get<std::vector<std::string>>(), keys);
                const auto expected = distill::tokenize_row(raw["instruction"].get<std::string>(),
                                                            raw["input"].get<std::string>(),
                                                            raw["output"].get<std::string>(), *tokenizer_, 24, true);
                truncated += expected.truncated();
                const std::pair<const char*, const std::vector<std::int32_t>*> tensors[] = {
                    {"input_ids", &expected.input_ids},
                    {"input_ids_no_response", &expected.input_ids_no_response},
                    {"labels", &expected.labels}};
                for (const auto& [name, values] : tensors) {
                    QCOMPARE(got[name]["dtype"].get<std::string>(), std::string("torch.int32"));
                    QCOMPARE(got[name]["shape"].get<std::vector<std::size_t>>(),
                             std::vector<std::size_t>{values->size()});
                    QVERIFY(got[name]["contiguous"].get<bool>());
                    QCOMPARE(got[name]["values"].get<std::vector<std::int32_t>>(), *values);
                }
            }
            // PyTorch's layout: records under archive/, stored, tensor data 64-byte aligned.
            for (const auto& e : file["entries"]) {
                const std::string name = e["name"];
                QVERIFY2(name.rfind("archive/", 0) == 0, name.c_str());
                QVERIFY2(e["stored"].get<bool>(), name.c_str());
                if (name.rfind("archive/data/", 0) == 0)
                    QCOMPARE(e["data_offset"].get<std::size_t>() % 64, std::size_t(0));
            }
        }
        QVERIFY(truncated > 0 && truncated < rows.size());
        QCOMPARE(report.truncated_rows, truncated);
    }

    void manifestNamesInputsSettingsAndCounts() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        const auto rows = sample_rows();
        const std::string raw_text = jsonl_of(rows) + "\n";  // a blank line is not a row
        write_text(root / "raw.jsonl", raw_text);
        distill::ExportOptions options;
        options.max_seq_len = 32;
        const auto report =
            distill::export_dataset({(root / "raw.jsonl").string()}, *tokenizer_, (root / "out").string(), options);
        const Record manifest = Record::parse(read_file(root / "out" / "manifest.json"));

        const XXH128_hash_t h = XXH3_128bits(raw_text.data(), raw_text.size());
        char hex[33];
        std::snprintf(hex, sizeof hex, "%016llx%016llx", (unsigned long long)h.high64, (unsigned long long)h.low64);
        const Record& in = manifest["inputs"][0];
        QCOMPARE(in["path"].get<std::string>(), (root / "raw.jsonl").string());
        QCOMPARE(in["xxh128"].get<std::string>(), std::string(hex));
        QCOMPARE(in["bytes"].get<std::size_t>(), raw_text.size());
        QCOMPARE(in["rows"].get<std::size_t>(), rows.size());
        QCOMPARE(in["truncated_rows"].get<std::size_t>(), report.truncated_rows);
        QCOMPARE(in["token_lengths"]["count"].get<std::size_t>(), rows.size());
        QCOMPARE(manifest["settings"]["max_seq_len"].get<int>(), 32);
        QCOMPARE(manifest["settings"]["mask_inputs"].get<bool>(), false);
        QCOMPARE(manifest["settings"]["valid_fraction"].get<double>(), 0.0);
        QCOMPARE(manifest["settings"]["seed"].get<int>(), 42);
        QCOMPARE(manifest["counts"]["rows"].get<std::size_t>(), rows.size());
        QCOMPARE(manifest["counts"]["valid_rows"].get<std::size_t>(), std::size_t(0));
        QCOMPARE(manifest["tokenizer"]["path"].get<std::string>(), llama_tokenizer_path());
        QCOMPARE(manifest["tokenizer"]["vocab_size"].get<int>(), 32000);
        QVERIFY(!manifest["version"].get<std::string>().empty());
        QCOMPARE(manifest["outputs"].size(), std::size_t(1));
        QCOMPARE(manifest["outputs"][0]["bytes"].get<std::uintmax_t>(), fs::file_size(root / "out" / "train.pt"));
        const std::string train = read_file(root / "out" / "train.pt");
        const XXH128_hash_t th = XXH3_128bits(train.data(), train.size());
        std::snprintf(hex, sizeof hex, "%016llx%016llx", (unsigned long long)th.high64, (unsigned long long)th.low64);
        QCOMPARE(manifest["outputs"][0]["xxh128"].get<std::string>(), std::string(hex));

        // Exporting again without a valid split removes a stale valid.pt.
        write_text(root / "out" / "valid.pt", "stale");
        distill::export_dataset({(root / "raw.jsonl").string()}, *tokenizer_, (root / "out").string(), options);
        QCOMPARE(folder_listing(root / "out"), (std::vector<std::string>{"manifest.json", "train.pt"}));
    }

    void badRawLinesNameFileAndLine() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        const std::string good = R"({"instruction": "", "input": "Q: x\nA:", "output": " y"})";
        const std::pair<std::string, std::string> cases[] = {
            {"{\"instruction\": \"\", \"input\": ", "JSON"},
            {R"({"instruction": "", "input": "Q"})", "no \"output\" field"},
            {R"({"instruction": "", "input": "Q", "output": null})", "\"output\" is null, not text"},
            {R"({"instruction": "", "input": "Q", "output": ["A"]})", "\"output\" is array, not text"},
            {R"(["instruction", "input", "output"])", "expected a JSON object"},
            {R"({"instruction": "", "input": "Q", "output": "A", "labels": "x"})", "which export itself writes"},
        };
        for (const auto& [line, what] : cases) {
            const fs::path raw = root / "bad.jsonl";
            write_text(raw, good + "\n" + line + "\n" + good + "\n");
            const std::string msg = error_of([&] { distill::read_raw_file(raw.string()); });
            QVERIFY2(contains(msg, raw.string() + ":2: "), msg.c_str());
            QVERIFY2(contains(msg, what), msg.c_str());
            const auto skipped = distill::read_raw_file(raw.string(), distill::BadInputPolicy::Skip);
            QCOMPARE(skipped.rows.size(), std::size_t(2));
            QCOMPARE(skipped.skipped, std::size_t(1));
            QCOMPARE(skipped.problems.at(0).line, std::size_t(2));
        }
        // BoolQ's output is the boolean the reference wrote; it is exported
        // as the text Python's str() gives, as its shots already read.
        write_text(root / "scalars.jsonl", R"({"instruction": "", "input": "Q", "output": true})"
                                           "\n"
                                           R"({"instruction": "", "input": "Q", "output": 17, "id": 2.5})"
                                           "\n");
        const auto scalars = distill::read_raw_file((root / "scalars.jsonl").string());
        QCOMPARE(scalars.rows.at(0)["output"], distill::Record("True"));
        QCOMPARE(scalars.rows.at(1)["output"], distill::Record("17"));
        QCOMPARE(scalars.rows.at(1)["id"], distill::Record("2.5"));

        const std::string missing = (root / "nope.jsonl").string();
        QVERIFY(contains(error_of([&] { distill::read_raw_file(missing); }), missing + ": cannot open"));
        QVERIFY(contains(error_of([&] { distill::export_dataset({}, *tokenizer_, (root / "out").string()); }),
                         "no raw files"));
    }

    void tokenLengthStatistics() {
        const auto s = distill::token_length_stats({5, 1, 10, 3, 7, 2, 9, 4, 8, 6}, 8, 4);
        QCOMPARE(s.count, std::size_t(10));
        QCOMPARE(s.min, std::size_t(1));
        QCOMPARE(s.max, std::size_t(10));
        QCOMPARE(s.mean, 5.5);
        QCOMPARE(s.p50, std::size_t(5));
        QCOMPARE(s.p90, std::size_t(9));
        QCOMPARE(s.p95, std::size_t(10));
        QCOMPARE(s.p99, std::size_t(10));
        QCOMPARE(s.over_max_seq_len, std::size_t(2));  // 9 and 10
        QCOMPARE(s.bin_width, std::size_t(3));         // ceil(11 / 4): bins reach 10
        QCOMPARE(s.bins, (std::vector<std::size_t>{2, 3, 3, 2}));  // [0,3) [3,6) [6,9) [9,12)
        const auto empty = distill::token_length_stats({}, 2048);
        QCOMPARE(empty.count, std::size_t(0));
        QVERIFY(empty.bins.size() <= 32);
        QCOMPARE(std::accumulate(empty.bins.begin(), empty.bins.end(), std::size_t(0)), std::size_t(0));
        // The limit line is inside the histogram even when every row is short.
        const auto short_rows = distill::token_length_stats({3, 4}, 2048);
        QVERIFY(short_rows.bin_width * short_rows.bins.size() > 2048);
    }

    void failuresLeaveThePreviousExportUntouched() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        std::vector<Record> rows;
        for (int i = 0; i < 400; ++i)
            rows.push_back({{"instruction", ""}, {"input", "Q: what is " + std::to_string(i) + " plus one?\nA:"},
                            {"output", " " + std::to_string(i + 1)}});
        write_text(root / "raw.jsonl", jsonl_of(rows));
        const std::string raw = (root / "raw.jsonl").string(), out = (root / "out").string();
        distill::export_dataset({raw}, *tokenizer_, out);
        const std::string train_before = read_file(root / "out" / "train.pt");
        const std::string manifest_before = read_file(root / "out" / "manifest.json");
        const auto untouched = [&] {
            return read_file(root / "out" / "train.pt") == train_before &&
                   read_file(root / "out" / "manifest.json") == manifest_before &&
                   folder_listing(root / "out") == std::vector<std::string>{"manifest.json", "train.pt"};
        };
        distill::ExportOptions options;
        options.seed = 7;  // a different export, were it to land

        // Cancel midway through train.pt.
        CancelAfter cancel(3);
        QVERIFY_THROWS_EXCEPTION(distill::Cancelled,
                                 distill::export_dataset({raw}, *tokenizer_, out, options, &cancel));
        QVERIFY(untouched());

        // A full disk: the file size limit makes write() fail with EFBIG, as
        // ENOSPC would, in a child so the limit does not outlive the case.
        int pipe_fds[2];
        QCOMPARE(::pipe(pipe_fds), 0);
        const pid_t child = ::fork();
        if (child == 0) {
            ::close(pipe_fds[0]);
            ::signal(SIGXFSZ, SIG_IGN);
            const rlimit limit{16 * 1024, 16 * 1024};
            ::setrlimit(RLIMIT_FSIZE, &limit);
            std::string msg = error_of([&] { distill::export_dataset({raw}, *tokenizer_, out, options); });
            (void)!::write(pipe_fds[1], msg.data(), msg.size());
            ::_exit(0);
        }
        ::close(pipe_fds[1]);
        std::string child_error;
        char buffer[512];
        for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) child_error.append(buffer, size_t(n));
        ::close(pipe_fds[0]);
        int status = 0;
        ::waitpid(child, &status, 0);
        QVERIFY(WIFEXITED(status));
        QVERIFY2(contains(child_error, (root / "out" / "train.pt").string()), child_error.c_str());
        QVERIFY2(contains(child_error, "disk full"), child_error.c_str());
        QVERIFY(untouched());

        // An output folder that cannot be made (its parent is a file).
        write_text(root / "a_file", "x");
        const std::string blocked = (root / "a_file" / "out").string();
        const std::string msg = error_of([&] { distill::export_dataset({raw}, *tokenizer_, blocked); });
        QVERIFY2(contains(msg, blocked) && contains(msg, "choose another folder"), msg.c_str());
        // A folder without write permission (meaningless as root, who may write anywhere).
        if (::geteuid() != 0) {
            fs::create_directory(root / "read_only");
            fs::permissions(root / "read_only", fs::perms::owner_read | fs::perms::owner_exec);
            const std::string ro = (root / "read_only").string();
            QVERIFY(contains(error_of([&] { distill::export_dataset({raw}, *tokenizer_, ro); }), "permissions"));
            fs::permissions(root / "read_only", fs::perms::owner_all);
        }
        QVERIFY(untouched());
    }

    // The GUI's Export: the run folder's lit-gpt files copied elsewhere, all
    // or nothing, each checked against the manifest's size and hash.
    void publishCopiesTheExportCheckedAgainstItsManifest() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        write_text(root / "raw.jsonl", jsonl_of(sample_rows()));
        const std::string raw = (root / "raw.jsonl").string(), run = (root / "run").string();
        const fs::path target = root / "training" / "data";
        distill::ExportOptions with_valid;
        with_valid.valid_fraction = 0.25;
        distill::export_dataset({raw}, *tokenizer_, run, with_valid);

        const auto written = distill::publish_export(run, target.string());
        QCOMPARE(written, (std::vector<std::string>{(target / "train.pt").string(), (target / "valid.pt").string(),
                                                    (target / "manifest.json").string()}));
        QCOMPARE(folder_listing(target), (std::vector<std::string>{"manifest.json", "train.pt", "valid.pt"}));
        for (const char* f : {"train.pt", "valid.pt", "manifest.json"})
            QVERIFY2(read_file(target / f) == read_file(fs::path(run) / f), f);
        const auto published = [&] {
            return read_file(target / "train.pt") == read_file(fs::path(run) / "train.pt") &&
                   folder_listing(target) == std::vector<std::string>{"manifest.json", "train.pt", "valid.pt"};
        };

        // The same folder twice: nothing to copy.
        QCOMPARE(distill::publish_export(run, run).back(), (fs::path(run) / "manifest.json").string());

        // A re-export without valid.pt: the stale one goes with the new set.
        distill::export_dataset({raw}, *tokenizer_, run);
        distill::publish_export(run, target.string());
        QCOMPARE(folder_listing(target), (std::vector<std::string>{"manifest.json", "train.pt"}));
        QCOMPARE(read_file(target / "manifest.json"), read_file(fs::path(run) / "manifest.json"));
        distill::export_dataset({raw}, *tokenizer_, run, with_valid);
        distill::publish_export(run, target.string());
        QVERIFY(published());
        const std::string train_before = read_file(target / "train.pt");

        // Cancelled midway (train.pt staged, valid.pt being copied): the
        // previous set stays, no staging folder is left.
        CancelAfter cancel(2);
        QVERIFY_THROWS_EXCEPTION(distill::Cancelled, distill::publish_export(run, target.string(), &cancel));
        QVERIFY(published());

        // A train.pt changed after the export is refused, naming it.
        std::string train = read_file(fs::path(run) / "train.pt");
        train[train.size() / 2] ^= 1;
        write_text(fs::path(run) / "train.pt", train);
        std::string msg = error_of([&] { distill::publish_export(run, target.string()); });
        QVERIFY2(contains(msg, (fs::path(run) / "train.pt").string() + ": changed since it was exported"),
                 msg.c_str());
        QCOMPARE(read_file(target / "train.pt"), train_before);

        // No export yet, or a manifest that is not one.
        fs::create_directory(root / "empty");
        msg = error_of([&] { distill::publish_export((root / "empty").string(), target.string()); });
        QVERIFY2(contains(msg, "no manifest.json") && contains(msg, "export stage"), msg.c_str());
        write_text(root / "empty" / "manifest.json", R"({"outputs": [{"file": "../x.pt", "bytes": 1, "xxh128": "0"}]})");
        msg = error_of([&] { distill::publish_export((root / "empty").string(), target.string()); });
        QVERIFY2(contains(msg, "not an export manifest") && contains(msg, "not a file name"), msg.c_str());
        QVERIFY(!fs::exists(root / "x.pt"));

        // A target that cannot be a folder (its parent is a file).
        write_text(root / "a_file", "x");
        msg = error_of([&] { distill::publish_export(run, (root / "a_file" / "out").string()); });
        QVERIFY2(contains(msg, "cannot create the output folder"), msg.c_str());
        QCOMPARE(read_file(target / "train.pt"), train_before);
    }

    // The same on a real file system: a 128 KiB tmpfs that fills up, then
    // the same mount made read-only. Mounting needs root with CAP_SYS_ADMIN
    // (a container's root usually has it); elsewhere the RLIMIT_FSIZE case
    // above stands in for it.
    void realFullDiskAndReadOnlyFolder() {
        QTemporaryDir dir;
        const fs::path root = dir.path().toStdString();
        const fs::path mnt = root / "small_disk";
        fs::create_directory(mnt);
        if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=128k") != 0)
            QSKIP("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)");
        const auto unmount = qScopeGuard([&] { ::umount2(mnt.c_str(), MNT_DETACH); });

        const auto raw_of = [&](int n) {
            std::vector<Record> rows;
            for (int i = 0; i < n; ++i)
                rows.push_back({{"instruction", ""}, {"input", "Q: what is " + std::to_string(i) + " squared?\nA:"},
                                {"output", " " + std::to_string(i * i)}});
            const fs::path path = root / ("raw" + std::to_string(n) + ".jsonl");
            write_text(path, jsonl_of(rows));
            return path.string();
        };
        const std::string out = (mnt / "out").string();
        distill::export_dataset({raw_of(20)}, *tokenizer_, out);
        const std::string train_before = read_file(mnt / "out" / "train.pt");
        const auto untouched = [&] {
            return read_file(mnt / "out" / "train.pt") == train_before &&
                   folder_listing(mnt / "out") == std::vector<std::string>{"manifest.json", "train.pt"};
        };

        std::string msg = error_of([&] { distill::export_dataset({raw_of(3000)}, *tokenizer_, out); });
        QVERIFY2(contains(msg, "disk full"), msg.c_str());
        QVERIFY(untouched());

        QCOMPARE(::mount("tmpfs", mnt.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, "size=128k"), 0);
        msg = error_of([&] { distill::export_dataset({raw_of(20)}, *tokenizer_, out); });
        QVERIFY2(contains(msg, out + ": cannot write in the output folder (Read-only file system)"), msg.c_str());
        QVERIFY(untouched());
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "test_export.moc"
