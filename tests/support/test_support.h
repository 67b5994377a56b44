// Helpers shared by the Qt Test suites: one version of what several suites
// need, so a fix or a clearer failure message reaches all of them. Each suite
// keeps its own helpers that only it uses.
#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "distill/error.h"
#include "distill/matrix.h"
#include "distill/npy.h"
#include "distill/progress.h"

namespace distill::test {

// The message of the distill::Error that `action` throws; empty when it
// throws none (any other exception propagates and fails the test). Check a
// message with contains(), "no error" with .empty().
inline std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const distill::Error& e) {
        return e.what();
    }
    return "";
}

// Whether `text` contains `part`; on a miss prints both, so a bare
// QVERIFY(contains(...)) still shows which message was wrong.
inline bool contains(std::string_view text, std::string_view part) {
    if (text.find(part) != std::string_view::npos) return true;
    qWarning("expected \"%.*s\" in \"%.*s\"", int(part.size()), part.data(), int(text.size()), text.data());
    return false;
}

// A ProgressSink that asks to cancel once it has had `updates` updates: for
// checking that long loops honour cancel.
class CancelAfter : public distill::ProgressSink {
public:
    explicit CancelAfter(int updates) : left_(updates) {}
    void update(std::string_view, std::uint64_t, std::uint64_t) override { --left_; }
    bool cancel_requested() const override { return left_ <= 0; }

private:
    int left_;
};

// Cosine of two vectors in double precision, the yardstick the float32 code
// under test is measured with.
inline double cosine(std::span<const float> a, std::span<const float> b) {
    double dot = 0, na = 0, nb = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
        const double u = a[k], v = b[k];
        dot += u * v, na += u * u, nb += v * v;
    }
    return dot / std::sqrt(na * nb);
}

// The reference's embeddings of the cd-a fixture (tests/data/cd-a, copied
// from shared/fixtures), read once per test process.
inline const distill::Matrix& cd_a_embeddings() {
    static const distill::Matrix x = distill::read_npy(DISTILL_TEST_DATA "/cd-a/embeddings.npy");
    return x;
}

// The fixture sentence-transformers models and their golden outputs
// (tests/data/models, copied from shared/fixtures).
inline std::string fixture_models() { return DISTILL_TEST_DATA "/models"; }

// The demo project shipped in resources/demo.
inline std::string demo_project_path() { return DISTILL_SOURCE_DIR "/resources/demo/demo.distill.json"; }

// The real Llama-2 tokenizer.model that tests/CMakeLists.txt passes in env
// DISTILL_LLAMA_TOKENIZER; empty when unset.
inline std::string llama_tokenizer_path() {
    const char* path = std::getenv("DISTILL_LLAMA_TOKENIZER");
    return path ? path : "";
}

// Runs `code` with Debian's python3 (DISTILL_PYTHON, which has numpy, torch
// and sentencepiece) as `python3 -c code args...`, the independent reader
// our files are checked against. Its stdout when it exits 0 within
// `timeout_ms`; otherwise nothing, after printing Python's stderr.
inline std::optional<QByteArray> run_python(const QString& code, const QStringList& args = {},
                                            int timeout_ms = 60000) {
    QProcess python;
    python.start(DISTILL_PYTHON, QStringList{"-c", code} + args);
    if (!python.waitForFinished(timeout_ms)) {
        qWarning("python3 did not finish: %s", qPrintable(python.errorString()));
        return std::nullopt;
    }
    if (python.exitStatus() != QProcess::NormalExit || python.exitCode() != 0) {
        qWarning("python3 failed: %s", python.readAllStandardError().constData());
        return std::nullopt;
    }
    return python.readAllStandardOutput();
}

// Runs the script `path` (tests/support/*.py) with `args` through run_python.
inline std::optional<QByteArray> run_python_script(const QString& path, const QStringList& args = {},
                                                   int timeout_ms = 60000) {
    return run_python("import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')",
                      QStringList{path} + args, timeout_ms);
}

// The whole file as bytes; empty when it cannot be read.
inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The file's lines without their '\n'.
inline std::vector<std::string> read_lines(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// A JSONL file, one value per line; ordered_json keeps each object's key
// order as written (distill::Record), nlohmann::json sorts keys.
template <class Json = nlohmann::ordered_json>
std::vector<Json> read_jsonl(const std::filesystem::path& path) {
    std::vector<Json> rows;
    for (const auto& line : read_lines(path)) rows.push_back(Json::parse(line));
    return rows;
}

// A JSON file; throws when it cannot be opened, so a missing fixture is
// named rather than reported as a parse error.
template <class Json = nlohmann::ordered_json>
Json read_json(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path.string());
    return Json::parse(in);
}

}  // namespace distill::test
