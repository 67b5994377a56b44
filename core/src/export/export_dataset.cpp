#include <filesystem>

#include "distill/atomic_file.h"
#include "distill/compute_info.h"
#include "distill/error.h"
#include "distill/export.h"
#include "distill/llm_tokenizer.h"
#include "distill/progress.h"
#include "distill/content_hash.h"
#include "export/lit_gpt_dataset.h"
#include "export/staging_folder.h"
#include "io/parallel_for.h"

namespace distill {
namespace fs = std::filesystem;
using exporting::move_into_place;
using exporting::StagingFolder;
namespace {

struct WrittenFile {
    std::string name;
    std::size_t rows = 0;
    std::uint64_t bytes = 0;
    std::string content_hash;
};

TokenizedRow tokenize(const Record& row, const SentencePieceTokenizer& tokenizer, const ExportOptions& options) {
    return tokenize_row(row["instruction"].get_ref<const std::string&>(), row["input"].get_ref<const std::string&>(),
                        row["output"].get_ref<const std::string&>(), tokenizer, options.max_seq_len,
                        options.mask_inputs);
}

// Tokenizing is nearly all of an export's time, and rows are independent:
// rows[order[begin..end)] are shared out over `threads` threads (the
// sentencepiece processor is safe to use from several at once).
std::vector<TokenizedRow> tokenize_chunk(const std::vector<const Record*>& rows, const std::vector<std::size_t>& order,
                                         std::size_t begin, std::size_t end, const SentencePieceTokenizer& tokenizer,
                                         const ExportOptions& options, unsigned threads) {
    std::vector<TokenizedRow> out(end - begin);
    parallel_for(end - begin, threads,
                 [&](std::size_t i) { out[i] = tokenize(*rows[order[begin + i]], tokenizer, options); });
    return out;
}

// Tokenizes rows[order[...]] into one .pt file in the staging folder, a
// chunk at a time: tokens of one chunk are in memory, never all of them.
WrittenFile write_dataset_file(const StagingFolder& staging, const fs::path& final_path,
                               const std::vector<const Record*>& rows, const std::vector<std::size_t>& order,
                               const SentencePieceTokenizer& tokenizer, const ExportOptions& options,
                               unsigned threads, std::vector<std::size_t>& full_lengths, ProgressSink* progress) {
    constexpr std::size_t kChunkRows = 256;  // about a second of one thread: cancel stays prompt
    WrittenFile written;
    written.name = final_path.filename().string();
    const std::string stage = "export " + written.name;
    write_file_atomically(staging.file(written.name).string(), [&](std::ostream& out) {
        exporting::LitGptDatasetWriter writer(out, final_path.string());
        for (std::size_t begin = 0; begin < order.size(); begin += kChunkRows) {
            throw_if_cancelled(progress);
            const std::size_t end = std::min(order.size(), begin + kChunkRows);
            const auto tokens = tokenize_chunk(rows, order, begin, end, tokenizer, options, threads);
            for (std::size_t i = begin; i < end; ++i) {
                full_lengths[order[i]] = tokens[i - begin].full_length;
                writer.add(*rows[order[i]], tokens[i - begin]);
            }
            if (progress) progress->update(stage, end, order.size());
        }
        throw_if_cancelled(progress);
        writer.finish();
        written.rows = writer.rows();
        written.bytes = writer.bytes_written();
        written.content_hash = writer.content_hash();
    });
    return written;
}

nlohmann::ordered_json manifest_json(const ExportReport& report, const std::vector<WrittenFile>& outputs,
                                     const TokenLengthStats& all_lengths, const SentencePieceTokenizer& tokenizer,
                                     const std::string& tokenizer_hash, const ExportOptions& options) {
    nlohmann::ordered_json inputs = nlohmann::ordered_json::array();
    std::size_t skipped_lines = 0;
    for (const auto& in : report.inputs) {
        skipped_lines += in.skipped;
        inputs.push_back({{"path", in.path},
                          {"xxh128", in.content_hash},
                          {"bytes", in.bytes},
                          {"rows", in.rows},
                          {"skipped_lines", in.skipped},
                          {"truncated_rows", in.lengths.over_max_seq_len},
                          {"token_lengths", to_json(in.lengths)}});
    }
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const auto& f : outputs)
        files.push_back({{"file", f.name}, {"rows", f.rows}, {"bytes", f.bytes}, {"xxh128", f.content_hash}});
    nlohmann::ordered_json manifest = {
        {"tool", options.upstream.is_null() ? "distill export" : "distill run"},
        {"version", version()},
        {"format",
         "lit-gpt prepare_sample rows: the raw fields plus int32 tensors input_ids (instruction+input+output, "
         "EOS appended, truncated to max_seq_len), input_ids_no_response (instruction+input, truncated) and "
         "labels (input_ids, prompt part -1 when mask_inputs); a torch.save zip, loadable with "
         "torch.load(path, weights_only=True)"},
        {"settings",
         {{"max_seq_len", options.max_seq_len},
          {"mask_inputs", options.mask_inputs},
          {"ignore_index", kIgnoreIndex},
          {"bos", false},
          {"eos", true},
          {"valid_fraction", options.valid_fraction},
          {"seed", options.seed},
          {"shuffle",
           "rows of all inputs concatenated in the order given, then torch.utils.data.random_split(rows, "
           "[1 - valid_fraction, valid_fraction], generator=torch.Generator().manual_seed(seed))"},
          {"on_bad_line", to_string(options.on_bad_line)}}},
        {"tokenizer",
         {{"path", tokenizer.model_path()},
          {"xxh128", tokenizer_hash},
          {"vocab_size", tokenizer.vocab_size()},
          {"bos_id", tokenizer.bos_id()},
          {"eos_id", tokenizer.eos_id()}}},
        {"inputs", inputs},
        {"outputs", files},
        {"counts",
         {{"rows", report.rows},
          {"train_rows", report.train_rows},
          {"valid_rows", report.valid_rows},
          {"truncated_rows", report.truncated_rows},
          {"skipped_lines", skipped_lines}}},
        {"token_lengths", to_json(all_lengths)},
        {"problems", to_json(report.problems)},
    };
    if (!options.upstream.is_null()) manifest["pipeline"] = options.upstream;
    return manifest;
}

}  // namespace

std::vector<std::string> ExportReport::summary() const {
    std::vector<std::string> lines;
    for (const auto& in : inputs)
        lines.push_back(in.path + ": " + std::to_string(in.rows) + " rows, " +
                        std::to_string(in.lengths.over_max_seq_len) + " truncated" +
                        (in.skipped ? ", " + std::to_string(in.skipped) + " bad lines skipped" : ""));
    lines.push_back(std::to_string(rows) + " rows: " + std::to_string(train_rows) + " in train, " +
                    std::to_string(valid_rows) + " in valid; " + std::to_string(truncated_rows) +
                    " truncated to the maximum sequence length");
    for (const auto& f : files) lines.push_back("wrote " + f);
    return lines;
}

ExportReport export_dataset(const std::vector<std::string>& raw_paths, const SentencePieceTokenizer& tokenizer,
                            const std::string& output_dir, const ExportOptions& options, ProgressSink* progress) {
    if (raw_paths.empty()) throw Error("export: no raw files given; pass at least one RAW.jsonl");
    std::vector<RawFile> files;
    for (const auto& path : raw_paths) files.push_back(read_raw_file(path, options.on_bad_line, progress));
    return export_raw_files(files, tokenizer, output_dir, options, progress);
}

ExportReport export_raw_files(const std::vector<RawFile>& files, const SentencePieceTokenizer& tokenizer,
                              const std::string& output_dir, const ExportOptions& options, ProgressSink* progress) {
    if (options.max_seq_len <= 0)
        throw Error("export: max sequence length " + std::to_string(options.max_seq_len) +
                    " is not positive; pass e.g. 2048");

    ExportReport report;
    for (const auto& file : files)
        for (const auto& p : file.problems)
            if (report.problems.size() < CorpusReport::kMaxKeptProblems) report.problems.push_back(p);
    std::vector<const Record*> rows;
    std::vector<std::size_t> file_of_row;
    for (std::size_t f = 0; f < files.size(); ++f)
        for (const auto& row : files[f].rows) {
            rows.push_back(&row);
            file_of_row.push_back(f);
        }
    // An empty train.pt loads in lit-gpt and fails the first training step;
    // it is a wrong or empty input file, so say which, before writing.
    if (rows.empty()) {
        std::string inputs;
        for (const auto& file : files)
            inputs += (inputs.empty() ? "" : ", ") + file.path +
                      (file.skipped ? " (" + std::to_string(file.skipped) + " bad lines skipped)" : "");
        throw Error("export: no rows to export: " + inputs + (files.size() == 1 ? " holds" : " hold") +
                    " no {instruction, input, output} rows; check the raw files (a format run that dropped every "
                    "record writes none: its report says why)");
    }
    const TrainValidSplit split = random_split(rows.size(), options.valid_fraction, options.seed);
    const std::string tokenizer_hash = hash_file(tokenizer.model_path());

    const fs::path out_dir(output_dir);
    const StagingFolder staging(out_dir);
    std::vector<std::size_t> full_lengths(rows.size(), 0);
    report.threads = thread_count(options.threads);
    std::vector<WrittenFile> outputs;
    outputs.push_back(write_dataset_file(staging, out_dir / "train.pt", rows, split.train, tokenizer, options,
                                         report.threads, full_lengths, progress));
    const bool with_valid = options.valid_fraction > 0;
    if (with_valid)
        outputs.push_back(write_dataset_file(staging, out_dir / "valid.pt", rows, split.valid, tokenizer, options,
                                             report.threads, full_lengths, progress));

    report.rows = rows.size();
    report.train_rows = split.train.size();
    report.valid_rows = split.valid.size();
    std::vector<std::vector<std::size_t>> lengths_of_file(files.size());
    for (std::size_t r = 0; r < rows.size(); ++r) lengths_of_file[file_of_row[r]].push_back(full_lengths[r]);
    for (std::size_t f = 0; f < files.size(); ++f) {
        ExportInputReport in{files[f].path, files[f].content_hash, files[f].bytes, files[f].rows.size(),
                             files[f].skipped,
                             token_length_stats(lengths_of_file[f], std::size_t(options.max_seq_len))};
        report.truncated_rows += in.lengths.over_max_seq_len;
        report.inputs.push_back(std::move(in));
    }
    const TokenLengthStats all_lengths = token_length_stats(full_lengths, std::size_t(options.max_seq_len));
    const auto manifest = manifest_json(report, outputs, all_lengths, tokenizer, tokenizer_hash, options);
    write_file_atomically(staging.file("manifest.json").string(),
                          [&](std::ostream& out) { out << manifest.dump(2) << '\n'; });
    throw_if_cancelled(progress);

    // Commit: the data files first, the manifest, which names their hashes,
    // last. Renames within one file system need no space and do not fail in
    // practice; were the process killed between two of them, the manifest's
    // hashes would show which files are new.
    for (const auto& f : outputs) {
        move_into_place(staging.file(f.name), out_dir / f.name);
        report.files.push_back((out_dir / f.name).string());
    }
    std::error_code ec;
    if (!with_valid) fs::remove(out_dir / "valid.pt", ec);  // a previous export's, now stale
    move_into_place(staging.file("manifest.json"), out_dir / "manifest.json");
    report.files.push_back((out_dir / "manifest.json").string());
    return report;
}

}  // namespace distill
