#pragma once
// Export stage (SPEC §6): the raw {instruction, input, output} rows of every
// domain become lit-gpt's tokenized dataset, train.pt (and valid.pt) plus a
// manifest.json, written into the output folder all together or not at all.
//
// train.pt is what lit-gpt's prepare scripts torch.save: a list of dicts,
// each with the raw fields plus int32 tensors input_ids,
// input_ids_no_response and labels. It is a torch zip archive whose pickle
// holds only lists, dicts, strings, ints and tensors, so torch.load(path,
// weights_only=True) (PyTorch >= 2.6's default) accepts it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "distill/corpus.h"

namespace distill {

class ProgressSink;
class SentencePieceTokenizer;

// ---------------------------------------------------------------------------
// Raw rows: the format and chat stages' output, `{domain}_prompt_data.jsonl`

struct RawFile {
    std::string path;
    std::string content_hash;   // XXH3-128 of the file's bytes, 32 hex digits
    std::uint64_t bytes = 0;
    std::vector<Record> rows;   // in file order, keys in file order
    std::size_t skipped = 0;    // bad lines left out under BadInputPolicy::Skip
    std::vector<InputProblem> problems;  // the first CorpusReport::kMaxKeptProblems of them
};

// Reads one raw JSONL file. Every line must be an object whose values are
// all strings, with at least "instruction", "input" and "output"; extra
// string fields are carried into train.pt as lit-gpt's {**example} does.
// A bad line is a distill::Error "PATH:LINE: what; fix" under Abort, and
// counted and kept in `problems` under Skip.
RawFile read_raw_file(const std::string& path, BadInputPolicy policy = BadInputPolicy::Abort,
                      ProgressSink* progress = nullptr);

// ---------------------------------------------------------------------------
// One row, tokenized the way lit-gpt's prepare_sample does

// lit-gpt's ignore_index: label positions the loss skips.
inline constexpr std::int32_t kIgnoreIndex = -1;

struct TokenizedRow {
    std::vector<std::int32_t> input_ids;              // prompt + response + EOS, cut to max_seq_len
    std::vector<std::int32_t> input_ids_no_response;  // prompt, cut to max_seq_len
    std::vector<std::int32_t> labels;                 // input_ids; prompt part kIgnoreIndex when masked
    std::size_t full_length = 0;                      // prompt + response + EOS before the cut
    bool truncated() const { return input_ids.size() < full_length; }
};

// The prompt is instruction + input and the response is output, concatenated
// as strings before tokenizing (see tokenize_row.cpp for why).
// max_seq_len must be > 0.
TokenizedRow tokenize_row(std::string_view instruction, std::string_view input, std::string_view output,
                          const SentencePieceTokenizer& tokenizer, int max_seq_len, bool mask_inputs);

// ---------------------------------------------------------------------------
// Shuffle and split: the reference's torch.utils.data.random_split

struct TrainValidSplit {
    std::vector<std::size_t> train;  // row indices, in the order written
    std::vector<std::size_t> valid;
};

// Exactly what random_split(range(n), [1 - valid_fraction, valid_fraction],
// generator=torch.Generator().manual_seed(seed)) gives (split_torch.cpp
// spells out the rule). 0 <= valid_fraction < 1, else distill::Error.
TrainValidSplit random_split(std::size_t n, double valid_fraction, std::uint64_t seed);

// ---------------------------------------------------------------------------
// Token-length statistics (the GUI's histogram, the manifest)

struct TokenLengthStats {
    std::size_t count = 0;
    std::size_t min = 0, max = 0;
    double mean = 0;
    // Nearest rank: the smallest length with at least p% of rows at or below it.
    std::size_t p50 = 0, p90 = 0, p95 = 0, p99 = 0;
    std::size_t max_seq_len = 0;
    std::size_t over_max_seq_len = 0;  // longer than max_seq_len: truncated on export
    // bins[i] counts lengths in [i * bin_width, (i + 1) * bin_width); the
    // bins reach past both the longest row and max_seq_len, so a plot can
    // draw the limit line inside the histogram.
    std::size_t bin_width = 1;
    std::vector<std::size_t> bins;
};

TokenLengthStats token_length_stats(std::vector<std::size_t> lengths, std::size_t max_seq_len,
                                    std::size_t bin_count = 32);
nlohmann::ordered_json to_json(const TokenLengthStats& stats);

// ---------------------------------------------------------------------------
// The whole stage

struct ExportOptions {
    int max_seq_len = 2048;            // the reference's; the challenge used 1024
    bool mask_inputs = false;          // lit-gpt's default
    double valid_fraction = 0;         // 0: no valid.pt
    std::uint64_t seed = 42;           // the reference's manual_seed
    BadInputPolicy on_bad_line = BadInputPolicy::Abort;
    int threads = 0;                   // tokenizer threads; 0: one per usable CPU (usable_cpu_count)
    // The stages before export (their inputs, settings, counts and drops)
    // when a pipeline run exports: written into manifest.json as "pipeline",
    // so one manifest accounts for every record from source to train.pt.
    nlohmann::ordered_json upstream;
};

struct ExportInputReport {
    std::string path;
    std::string content_hash;          // XXH3-128, 32 hex digits
    std::uint64_t bytes = 0;
    std::size_t rows = 0;
    std::size_t skipped = 0;
    TokenLengthStats lengths;          // full lengths (EOS included, before truncation)
};

struct ExportReport {
    std::vector<ExportInputReport> inputs;  // in the order given
    std::size_t rows = 0, train_rows = 0, valid_rows = 0;
    std::size_t truncated_rows = 0;
    std::vector<InputProblem> problems;     // bad lines skipped, when on_bad_line is Skip
    std::vector<std::string> files;         // the paths written, manifest.json last
    unsigned threads = 1;                   // tokenizer threads used
    std::vector<std::string> summary() const;  // one line per fact, for stderr and logs
};

// Reads `raw_paths` in order, concatenates their rows, shuffles and splits
// them (random_split), tokenizes each row and writes train.pt, valid.pt
// (only when valid_fraction > 0; a stale one is removed) and manifest.json
// into `output_dir`, which is created when missing. Everything is written
// under temporary names first: on any error or cancel nothing is left
// behind and a previous export there is untouched. Files that hold no rows
// at all are an Error naming them (an empty train.pt only fails training).
ExportReport export_dataset(const std::vector<std::string>& raw_paths, const SentencePieceTokenizer& tokenizer,
                            const std::string& output_dir, const ExportOptions& options = {},
                            ProgressSink* progress = nullptr);

// The same for files read already (by read_raw_file with
// options.on_bad_line), e.g. by a GUI that showed their statistics first.
ExportReport export_raw_files(const std::vector<RawFile>& files, const SentencePieceTokenizer& tokenizer,
                              const std::string& output_dir, const ExportOptions& options = {},
                              ProgressSink* progress = nullptr);

// Distill Studio's Export: copies the lit-gpt files of a finished export in
// `from_dir` (train.pt, valid.pt when it has one, and manifest.json, as its
// manifest lists them) into `to_dir`, created when missing. Each file's
// size and hash are checked against the manifest as it is copied; only when
// all are copied are they renamed into place, the manifest last and a stale
// valid.pt removed, as export_dataset does. A pipeline's run folder holds every stage's cache;
// this leaves only what training reads. Returns the paths written, manifest
// last (nothing is copied when both folders are the same). Throws
// distill::Error when `from_dir` has no manifest (nothing exported yet), a
// file is missing or changed since the export, or `to_dir` cannot be
// written; Cancelled when progress asks. Either way `to_dir` is untouched.
std::vector<std::string> publish_export(const std::string& from_dir, const std::string& to_dir,
                                        ProgressSink* progress = nullptr);

// `distill bench export`: synthetic rows shaped like Data V5 prompts (a
// few-shot input of `words_per_row` words, a short answer) exported to a
// temporary folder.
struct ExportBenchOptions {
    std::size_t rows = 20000;
    std::size_t words_per_row = 300;
    int max_seq_len = 2048;
    std::uint64_t seed = 42;
    int threads = 0;                   // as ExportOptions::threads
};

struct ExportBenchResult {
    std::size_t rows = 0;
    std::size_t tokens = 0;            // input_ids written, all rows
    std::uint64_t train_bytes = 0;
    double seconds = 0;                // export_dataset, end to end
    unsigned threads = 1;              // tokenizer threads used
    double tokenize_seconds = 0;       // the tokenizer alone, one thread, measured separately
    std::string summary() const;
};

ExportBenchResult bench_export(const SentencePieceTokenizer& tokenizer, const ExportBenchOptions& options,
                               ProgressSink* progress = nullptr);

}  // namespace distill
