// read_source: opens a source, settles its format and runs the reader.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>

#include "corpus/column_mapping.h"
#include "corpus/readers.h"
#include "corpus/row_intake.h"
#include "corpus/source_file.h"
#include "distill/corpus.h"
#include "distill/error.h"

namespace distill {

namespace {

std::string lowercase_extension(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return ext;
}

std::string describe_byte(int c) {
    if (c >= 0x21 && c <= 0x7e) return "'" + std::string(1, static_cast<char>(c)) + "'";
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(c));
    return std::string("byte ") + hex;
}

// Whether `line` is the start of a JSON value that goes on past it: what
// the first line of a pretty-printed object is ("{", or '{"id": 7,'), and
// a JSONL line is not, nor a broken one, whose error comes before its end.
bool opens_a_longer_value(const std::string& line) {
    try {
        (void)Record::parse(line);
        return false;
    } catch (const nlohmann::json::parse_error& e) {
        return e.byte > line.size();  // ran out of input, nothing wrong before
    }
}

// The first byte after a byte order mark and whitespace tells JSON from
// JSONL, and for '{' whether the first object ends on its line; the stream
// is rewound afterwards. An empty file reads as JSONL and then reports that
// it holds no records.
SourceFormat sniff_json_format(const std::string& path, std::istream& in) {
    int c = in.get();
    if (c == 0xEF && in.get() == 0xBB && in.get() == 0xBF) c = in.get();
    while (c == ' ' || c == '\t' || c == '\r' || c == '\n') c = in.get();
    std::string first_line;
    if (c == '{') {
        std::getline(in, first_line);
        first_line.insert(0, 1, '{');
    }
    in.clear();
    in.seekg(0);
    if (c == '[') return SourceFormat::JsonArray;
    if (c == '{') return opens_a_longer_value(first_line) ? SourceFormat::JsonArray : SourceFormat::Jsonl;
    if (c == std::char_traits<char>::eof()) return SourceFormat::Jsonl;
    throw Error(located_message(path, 1,
                                "cannot tell the format: the file starts with " + describe_byte(c) +
                                    ", not '[' (JSON array) or '{' (JSONL)",
                                "set the source's format"));
}

SourceFormat resolve_format(const SourceSpec& source, std::istream& in) {
    if (source.format != SourceFormat::Auto) return source.format;
    const std::string ext = lowercase_extension(source.path);
    if (ext == ".csv") return SourceFormat::Csv;
    if (ext == ".tsv") return SourceFormat::Tsv;
    return sniff_json_format(source.path, in);
}

void run_reader(SourceFormat format, std::istream& in, corpus::RowIntake& rows) {
    switch (format) {
        case SourceFormat::Jsonl:
            return corpus::read_jsonl(in, rows);
        case SourceFormat::JsonArray:
            return corpus::read_json(in, rows);
        case SourceFormat::Csv:
            return corpus::read_delimited(in, ',', rows);
        case SourceFormat::Tsv:
            return corpus::read_delimited(in, '\t', rows);
        case SourceFormat::Auto:
            break;  // resolved before
    }
}

}  // namespace

SourceReport read_source(const SourceSpec& source, BadInputPolicy policy,
                         const std::function<void(Record&&)>& sink,
                         std::vector<InputProblem>* problems, ProgressSink* progress) {
    throw_if_cancelled(progress);
    std::ifstream in = corpus::open_source_file(source.path);
    corpus::check_column_map(source);
    const SourceFormat format = resolve_format(source, in);
    corpus::RowIntake rows(source, policy, sink, problems, progress,
                           corpus::source_file_size(source.path));
    run_reader(format, in, rows);
    return rows.finish();
}

std::string InputProblem::to_string() const { return located_message(path, line, message, ""); }

std::size_t CorpusReport::skipped() const {
    std::size_t total = 0;
    for (const SourceReport& source : sources) total += source.skipped;
    return total;
}

nlohmann::ordered_json to_json(const std::vector<InputProblem>& problems) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& p : problems) out.push_back({{"path", p.path}, {"line", p.line}, {"message", p.message}});
    return out;
}

nlohmann::ordered_json to_json(const CorpusReport& report, std::size_t pooled) {
    nlohmann::ordered_json sources = nlohmann::ordered_json::array();
    for (const auto& s : report.sources)
        sources.push_back({{"name", s.name}, {"path", s.path}, {"records", s.records},
                           {"skipped", s.skipped}, {"bytes", s.bytes}});
    return {{"records", pooled},
            {"duplicates_replaced", report.duplicates_replaced},
            {"skipped", report.skipped()},
            {"sources", sources},
            {"problems", to_json(report.problems)}};
}

}  // namespace distill
