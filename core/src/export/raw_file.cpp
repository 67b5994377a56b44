#include <filesystem>
#include <fstream>

#include "distill/error.h"
#include "distill/export.h"
#include "distill/format.h"
#include "distill/content_hash.h"
#include "format/format_text.h"

namespace distill {
namespace {

// The three fields lit-gpt reads, and the three it adds (which a raw row
// must not already have: {**example, "input_ids": ...} would overwrite them).
constexpr const char* kRequired[] = {"instruction", "input", "output"};
constexpr const char* kReserved[] = {"input_ids", "input_ids_no_response", "labels"};

// Checks a raw row and turns a boolean or number field into its text as
// Python's str() writes it: BoolQ's output is the JSON boolean the reference
// wrote (its shots read "A: False"), and lit-gpt's prompt + output needs text.
void read_raw_row(Record& row) {
    if (!row.is_object())
        throw Error(std::string("expected a JSON object {\"instruction\", \"input\", \"output\"}, got ") +
                    row.type_name() + "; write one object per line, as `distill format` does");
    for (const char* key : kRequired)
        if (!row.contains(key))
            throw Error(std::string("the row has no \"") + key +
                        "\" field; every row needs text fields \"instruction\", \"input\" and \"output\"");
    for (auto& [key, value] : row.items()) {
        for (const char* reserved : kReserved)
            if (key == reserved)
                throw Error("the row has a \"" + key + "\" field, which export itself writes; remove or rename it");
        if (value.is_boolean() || value.is_number()) {
            value = python_str(value);
        } else if (!value.is_string()) {
            throw Error("\"" + key + "\" is " + value.type_name() +
                        ", not text; train.pt holds text fields only (a string, or a boolean or number to be "
                        "written as text)");
        }
    }
}

}  // namespace

RawFile read_raw_file(const std::string& path, BadInputPolicy policy, ProgressSink* progress) {
    RawFile file;
    file.path = path;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open the raw file; check the path");
    std::size_t read = 0;
    format::for_each_json_line(in, path, policy, progress, "read raw rows", read, file.skipped, file.problems,
                               [&](const Record& line, std::size_t) {
                                   Record row = line;
                                   read_raw_row(row);
                                   file.rows.push_back(std::move(row));
                               });
    // Hashed by a second read: the line loop needs a seekable stream of its
    // own, and the second read comes from the page cache.
    file.content_hash = hash_file(path);
    file.bytes = std::filesystem::file_size(path);
    return file;
}

}  // namespace distill
