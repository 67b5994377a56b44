#include "prompt_length_job.h"

#include "distill/error.h"

namespace distill::ui {

void PromptLengthWorker::measure(const std::vector<std::shared_ptr<const Record>>& lines, const PromptPreset& preset,
                                 const std::shared_ptr<const SentencePieceTokenizer>& tokenizer, int maxSeqLen) {
    runGuarded([&] {
        const PromptFormatter formatter(preset, tokenizer.get(), maxSeqLen);
        auto lengths = std::make_shared<PromptLengths>();
        for (const auto& line : lines) {
            if (cancelRequested().load(std::memory_order_relaxed)) throw Cancelled();
            try {
                const FormattedPrompt formatted = formatter.format(*line);
                if (formatted.dropped == DropReason::None) {
                    lengths->lengths.push_back(formatted.token_count);
                } else {
                    ++lengths->dropped;
                    lengths->over_max += formatted.dropped == DropReason::OverMaxSeqLen ||
                                         formatted.dropped == DropReason::NoShotCountFits;
                }
            } catch (const std::exception&) {
                ++lengths->failed;  // the preview names the problem for the origin shown
            }
        }
        emit measured(std::move(lengths));
    });
}

PromptLengthJob::PromptLengthJob(QObject* parent)
    : BackgroundJob("prompt lengths", parent), worker_(adopt(std::make_unique<PromptLengthWorker>(cancelFlag()))) {
    qRegisterMetaType<std::shared_ptr<const PromptLengths>>();
    connect(worker_, &PromptLengthWorker::measured, this, [this](std::shared_ptr<const PromptLengths> lengths) {
        jobEnded();
        emit measured(std::move(lengths));
    });
}

void PromptLengthJob::measure(std::vector<std::shared_ptr<const Record>> lines, PromptPreset preset,
                              std::shared_ptr<const SentencePieceTokenizer> tokenizer, int maxSeqLen) {
    post([worker = worker_, lines = std::move(lines), preset = std::move(preset), tokenizer = std::move(tokenizer),
          maxSeqLen] { worker->measure(lines, preset, tokenizer, maxSeqLen); });
}

}  // namespace distill::ui
