#pragma once
// Core calls ProgressSink::update() every few milliseconds; each signal a
// worker emits for it crosses threads and repaints, so the workers let at
// most one through per interval, plus the last of a stage.
#include <QtGlobal>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <utility>

#include "distill/progress.h"

namespace distill::ui {

class ProgressThrottle {
public:
    // True when an update of `done` of `total` should be shown now.
    bool admit(std::uint64_t done, std::uint64_t total) {
        const auto now = Clock::now();
        const bool complete = total > 0 && done >= total;
        if (!complete && now - last_ < kInterval) return false;
        last_ = now;
        return true;
    }

private:
    using Clock = std::chrono::steady_clock;
    static constexpr auto kInterval = std::chrono::milliseconds(50);
    Clock::time_point last_;
};

// The ProgressSink a worker hands to core: throttled updates go to
// `showProgress` (which emits the worker's progress signal), and core's
// cancel checks read the flag the GUI thread sets when Cancel is pressed.
class ThrottledProgressSink : public ProgressSink {
public:
    using ShowProgress = std::function<void(quint64 done, quint64 total)>;

    ThrottledProgressSink(const std::atomic_bool& cancelRequested, ShowProgress showProgress)
        : cancelRequested_(cancelRequested), showProgress_(std::move(showProgress)) {}

    void update(std::string_view, std::uint64_t done, std::uint64_t total) override {
        if (throttle_.admit(done, total)) showProgress_(done, total);
    }

    bool cancel_requested() const override { return cancelRequested_.load(std::memory_order_relaxed); }

private:
    const std::atomic_bool& cancelRequested_;
    ShowProgress showProgress_;
    ProgressThrottle throttle_;
};

}  // namespace distill::ui
