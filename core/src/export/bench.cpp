// `distill bench export`: rows shaped like the Data V5 math/science prompts
// (five "Q: ...\nA: ...\n\n" shots, then the query, a short answer), exported
// end to end from a raw file into a scratch folder.
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include "distill/error.h"
#include "distill/export.h"
#include "distill/llm_tokenizer.h"
#include "distill/progress.h"

namespace distill {
namespace fs = std::filesystem;
namespace {

constexpr const char* kWords[] = {
    "the", "of", "a", "is", "to", "and", "in", "what", "how", "many", "if", "each", "number", "total", "she",
    "he", "has", "apples", "costs", "dollars", "more", "than", "twice", "half", "per", "hour", "which", "following",
    "best", "describes", "energy", "cell", "plants", "water", "temperature", "force", "mass", "speed", "students",
    "class", "train", "miles", "minutes", "price", "sold", "bought", "remaining", "equation", "solve", "value",
    "12", "7", "3.5", "48", "2019", "x", "y", "=", "+", "(A)", "(B)", "therefore", "answer:", "because"};

class SyntheticPrompts {
public:
    explicit SyntheticPrompts(std::uint64_t seed) : rng_(seed) {}

    std::string words(std::size_t n) {
        std::string out;
        for (std::size_t i = 0; i < n; ++i) {
            if (i) out += ' ';
            out += kWords[rng_() % std::size(kWords)];
        }
        return out;
    }

    Record row(std::size_t words_per_row) {
        const std::size_t per_part = std::max<std::size_t>(words_per_row / 12, 1);  // 6 questions, 6 answers
        std::string input;
        for (int shot = 0; shot < 5; ++shot) input += "Q: " + words(per_part) + "\nA: " + words(per_part) + "\n\n";
        input += "Q: " + words(per_part) + "\nA:";
        const bool multiple_choice = rng_() % 2;
        return {{"instruction", multiple_choice ? "The following are multiple choice questions (with answers).\n" : ""},
                {"input", input},
                {"output", " " + words(per_part)}};
    }

private:
    std::mt19937_64 rng_;
};

class ScratchFolder {
public:
    ScratchFolder() {
        std::string name = (fs::temp_directory_path() / "distill-bench-export-XXXXXX").string();
        if (!::mkdtemp(name.data())) throw Error(name + ": cannot create a scratch folder for the benchmark");
        path_ = name;
    }
    ~ScratchFolder() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::string ExportBenchResult::summary() const {
    char line[256];
    std::snprintf(line, sizeof line,
                  "export: %zu rows, %zu tokens in %.2f s with %u tokenizer thread%s: %.0f rows/s, %.0f tokens/s "
                  "(the tokenizer alone, one thread: %.2f s); train.pt %.1f MB",
                  rows, tokens, seconds, threads, threads == 1 ? "" : "s", seconds > 0 ? double(rows) / seconds : 0.0,
                  seconds > 0 ? double(tokens) / seconds : 0.0, tokenize_seconds, double(train_bytes) / 1e6);
    return line;
}

ExportBenchResult bench_export(const SentencePieceTokenizer& tokenizer, const ExportBenchOptions& options,
                               ProgressSink* progress) {
    const ScratchFolder scratch;
    const fs::path raw = scratch.path() / "bench_prompt_data.jsonl";
    std::vector<Record> rows;
    {
        SyntheticPrompts prompts(options.seed);
        std::ofstream out(raw, std::ios::binary);
        for (std::size_t i = 0; i < options.rows; ++i) {
            rows.push_back(prompts.row(options.words_per_row));
            out << rows.back().dump() << '\n';
        }
        if (!out) throw Error(raw.string() + ": cannot write the benchmark's raw file; is the disk full?");
    }

    ExportBenchResult result;
    result.rows = options.rows;
    auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < rows.size(); ++i) {
        throw_if_cancelled(progress);
        const Record& row = rows[i];
        result.tokens += tokenize_row(row["instruction"].get_ref<const std::string&>(),
                                      row["input"].get_ref<const std::string&>(),
                                      row["output"].get_ref<const std::string&>(), tokenizer, options.max_seq_len,
                                      false)
                             .input_ids.size();
        if (progress && (i % 256 == 255 || i + 1 == rows.size()))
            progress->update("tokenizer alone", i + 1, rows.size());
    }
    result.tokenize_seconds = seconds_since(start);

    ExportOptions export_options;
    export_options.max_seq_len = options.max_seq_len;
    export_options.seed = options.seed;
    export_options.threads = options.threads;
    start = std::chrono::steady_clock::now();
    const ExportReport report =
        export_dataset({raw.string()}, tokenizer, (scratch.path() / "out").string(), export_options, progress);
    result.threads = report.threads;
    result.seconds = seconds_since(start);
    result.train_bytes = fs::file_size(scratch.path() / "out" / "train.pt");
    return result;
}

}  // namespace distill
