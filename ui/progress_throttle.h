#pragma once
// Core calls ProgressSink::update() every few milliseconds; each signal a
// worker emits for it crosses threads and repaints, so the workers let at
// most one through per interval, plus the last of a stage.
#include <chrono>
#include <cstdint>

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

}  // namespace distill::ui
