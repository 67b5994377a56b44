#pragma once
// A case-insensitive substring search over a run's corpus questions, for the
// views that find a question by any part of it: the cluster map's Find box
// and Replace Shot…'s filter. Building it folds every question once (a few
// hundred milliseconds on 700k questions), so the pipeline worker builds one
// per run (PipelineOutcome::questionIndex), off the GUI thread; each search
// is then one pass over a single string (tens of milliseconds).
#include <QString>

#include <cstddef>
#include <string>
#include <vector>

#include "distill/corpus.h"

namespace distill::ui {

class QuestionIndex {
public:
    QuestionIndex() = default;  // of no questions: finds nothing
    // Over records that each have a "question" (the pooled corpus's).
    explicit QuestionIndex(const std::vector<Record>& records);

    // The corpus rows whose question contains `text` in any case, in row
    // order, each once.
    std::vector<std::size_t> rowsContaining(const QString& text) const;

private:
    std::string folded_;               // every question case-folded, a NUL after each
    std::vector<std::size_t> starts_;  // where each corpus row's question starts in folded_
};

}  // namespace distill::ui
