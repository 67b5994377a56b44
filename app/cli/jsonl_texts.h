#pragma once
// The text field of each line of a JSONL file (SPEC §9: what `distill
// tokens` and `distill embed` read), with problems located by file and line.
#include <functional>
#include <string>
#include <vector>

#include "distill/progress.h"

namespace distill::cli {

// Calls `each` with the `field` string of every non-blank line, in order;
// blank lines are skipped and an editor's BOM is ignored. Reports bytes read
// as `stage` and honours cancel every few thousand lines. Throws
// distill::Error "FILE:LINE: problem; fix" for a line that is not an object
// with that string field, and "FILE: ..." for a file with no lines at all.
void for_each_jsonl_text(const std::string& path, const std::string& field, ProgressSink& progress,
                         const char* stage, const std::function<void(const std::string& text)>& each);

// Every such text, in order.
std::vector<std::string> read_jsonl_texts(const std::string& path, const std::string& field, ProgressSink& progress);

}  // namespace distill::cli
