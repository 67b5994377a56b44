#pragma once
// Corpus stage (SPEC §1): read each source file of a domain, map its columns
// to `question` and `answer`, and pool the sources with exact-question dedup.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "distill/progress.h"

namespace distill {

// One question/answer record: a JSON object holding "question" (a string),
// "answer" (any JSON value, as the source had it) and every other field of
// the source row, untouched and in the source's order. The mapped columns are
// renamed in place, as the reference's rename_column did, because the
// formatting stage recognises a source by its fields and writes records back
// out byte for byte.
using Record = nlohmann::ordered_json;

enum class SourceFormat {
    Auto,       // by content: '[' starts JSON, '{' JSONL unless the first object spans lines; .csv/.tsv by extension
    Jsonl,      // one JSON object per line (also what HF `to_json` writes as .json)
    JsonArray,  // "json": a top-level array of objects, or objects one after another (pretty-printed)
    Csv,        // comma-separated, first row is the header
    Tsv,        // tab-separated, first row is the header
};

struct ColumnMap {
    std::string question = "question";
    std::string answer = "answer";
};

// One dataset file of a domain plus the column mapping that applies to it.
struct SourceSpec {
    std::string name;        // e.g. "gsm8k"
    std::string path;        // local file; the app never downloads datasets
    SourceFormat format = SourceFormat::Auto;
    ColumnMap columns;
    std::string origin;      // where the data comes from, e.g. "gsm8k (main)"; informational
};

// What to do with a line that cannot become a record.
enum class BadInputPolicy {
    Abort,  // throw distill::Error naming file and line; nothing is pooled
    Skip,   // leave the line out, record the problem, count it
};

struct InputProblem {
    std::string path;
    std::size_t line = 0;   // 1-based; 0 when the problem concerns the whole file
    std::string message;    // what is wrong and what to do
    std::string to_string() const;  // "path:line: message"
};
// [{"path", "line", "message"}, ...], for reports and manifests.
nlohmann::ordered_json to_json(const std::vector<InputProblem>& problems);

struct SourceReport {
    std::string name;
    std::string path;
    std::size_t records = 0;        // records delivered
    std::size_t skipped = 0;        // lines or rows left out under BadInputPolicy::Skip
    std::uint64_t bytes = 0;        // size of the file read
};

struct CorpusReport {
    std::vector<SourceReport> sources;
    std::size_t duplicates_replaced = 0;   // records whose question an earlier record had
    std::size_t skipped() const;           // sum over sources
    // The first problems met (at most kMaxKeptProblems), for display; the
    // counts above are always complete.
    static constexpr std::size_t kMaxKeptProblems = 100;
    std::vector<InputProblem> problems;
};
// Counts per source, the totals and the kept problems, for reports and
// manifests; `pooled` is the number of records after dedup.
nlohmann::ordered_json to_json(const CorpusReport& report, std::size_t pooled);

// Streams one source, row by row, to `sink` in one pass with memory bounded
// by the longest line (never the file size). Rows that cannot be mapped are
// handled by `policy`; under Skip their problems are appended to `problems`
// (up to kMaxKeptProblems) and counted in the returned report.
SourceReport read_source(const SourceSpec& source, BadInputPolicy policy,
                         const std::function<void(Record&&)>& sink,
                         std::vector<InputProblem>* problems = nullptr,
                         ProgressSink* progress = nullptr);

struct Corpus {
    std::vector<Record> records;          // pooled, deduplicated
    std::vector<std::uint32_t> source_of; // index into the SourceSpec list, per record
    CorpusReport report;
};

// Pools the sources in order. Records are deduplicated by exact question
// text and a later source wins: the kept record takes the position of the
// question's first appearance and the content of its last, exactly like the
// reference's dict keyed by question.
Corpus pool_sources(const std::vector<SourceSpec>& sources, BadInputPolicy policy,
                    ProgressSink* progress = nullptr);

// A built-in domain: the reference's sources with their column maps. Paths
// are empty; the user points each source at a local file.
struct DomainPreset {
    std::string name;         // "math", "science", ...
    std::string description;
    std::vector<SourceSpec> sources;
};

// The presets compiled in from resources/presets/domains.json.
const std::vector<DomainPreset>& domain_presets();
// nullptr when there is no preset of that name.
const DomainPreset* find_domain_preset(const std::string& name);

std::string to_string(SourceFormat format);
// Throws distill::Error listing the accepted names.
SourceFormat source_format_from_string(const std::string& name);
std::string to_string(BadInputPolicy policy);
BadInputPolicy bad_input_policy_from_string(const std::string& name);

}  // namespace distill
