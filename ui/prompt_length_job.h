#pragma once
// The few-shot tab's live length check: every listed origin formatted with
// the template as edited and counted with the run's tokenizer, in the
// background (see BackgroundJob), so the token-length histogram answers a
// template edit before the next run. A few hundred origins take under a
// second; a 700k run's thousands take longer, hence the thread and Cancel.
#include <memory>
#include <vector>

#include "background_job.h"
#include "distill/corpus.h"
#include "distill/format.h"
#include "distill/llm_tokenizer.h"

namespace distill::ui {

struct PromptLengths {
    std::vector<std::size_t> lengths;  // tokens of each prompt kept (instruction, input, output, EOS)
    std::size_t dropped = 0;           // origins the formatter drops,
    std::size_t over_max = 0;          // ... of which for their length (max_seq_len)
    std::size_t failed = 0;            // origins the template cannot render (a field missing)
};

class PromptLengthWorker : public BackgroundWorker {
    Q_OBJECT
public:
    using BackgroundWorker::BackgroundWorker;

    // Formats each few-shot line with `preset`; emits exactly one of
    // measured(), failed() or cancelled().
    void measure(const std::vector<std::shared_ptr<const Record>>& lines, const PromptPreset& preset,
                 const std::shared_ptr<const SentencePieceTokenizer>& tokenizer, int maxSeqLen);

signals:
    void measured(std::shared_ptr<const distill::ui::PromptLengths> lengths);
};

class PromptLengthJob : public BackgroundJob {
    Q_OBJECT
public:
    explicit PromptLengthJob(QObject* parent = nullptr);

    // Ignored while a measure is running. The lines are shared, never
    // changed (FewShotView edits copies): passing them costs pointers.
    void measure(std::vector<std::shared_ptr<const Record>> lines, PromptPreset preset, std::shared_ptr<const SentencePieceTokenizer> tokenizer,
                 int maxSeqLen);

signals:
    void measured(std::shared_ptr<const distill::ui::PromptLengths> lengths);

private:
    PromptLengthWorker* worker_;
};

}  // namespace distill::ui
