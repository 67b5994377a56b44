#pragma once
// ProgressSink for the terminal: a redrawn bar with rate and ETA when stderr
// is a terminal, a plain line every few seconds when it is piped into a log.
// Ctrl-C, SIGTERM and SIGHUP set the cancel flag the stages poll, so an
// interrupted run removes its temporary files instead of leaving partial ones.
#include <chrono>
#include <string>

#include "distill/progress.h"

namespace distill::cli {

class TerminalProgress : public ProgressSink {
public:
    TerminalProgress();
    ~TerminalProgress() override;
    void update(std::string_view stage, std::uint64_t done, std::uint64_t total) override;
    bool cancel_requested() const override;
    void finish();  // ends the current bar's line

private:
    using Clock = std::chrono::steady_clock;
    bool interactive_;
    std::string stage_;
    Clock::time_point stage_start_;
    Clock::time_point last_draw_;
    bool line_open_ = false;
    bool stage_complete_ = false;
};

// The signal that cancelled the command (SIGINT, SIGTERM or SIGHUP), or 0.
int stop_signal();

}  // namespace distill::cli
