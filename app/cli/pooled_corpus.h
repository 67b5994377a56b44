#pragma once
// The pooled corpus `distill corpus` writes, read back by the commands that
// take it as an input (fewshot --corpus, communities --questions).
#include <functional>
#include <string>

#include "distill/corpus.h"
#include "distill/progress.h"

namespace distill::cli {

// Calls `each` with every record of the pooled corpus at `path`, given as
// `option`. A bad row is an Error "OPTION PATH:LINE: problem; fix" whose fix
// is to give the pooled corpus, not the corpus reader's advice for a source
// (its column map or format), which such a file does not have.
void for_each_pooled_record(const std::string& option, const std::string& path, ProgressSink* progress,
                            const std::function<void(Record&&)>& each);

}  // namespace distill::cli
