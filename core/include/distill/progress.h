#pragma once
// How a long-running stage reports progress and learns that the user wants
// to stop. The CLI draws bars from it; the GUI worker forwards it as signals.
#include <cstdint>
#include <string_view>

namespace distill {

class ProgressSink {
public:
    virtual ~ProgressSink() = default;
    // `done` of `total` units of `stage` (bytes, records, rows...); total 0
    // means unknown. Called often: implementations must be cheap.
    virtual void update(std::string_view stage, std::uint64_t done, std::uint64_t total) {
        (void)stage, (void)done, (void)total;
    }
    // Polled between units of work; a stage that sees true throws Cancelled.
    virtual bool cancel_requested() const { return false; }
};

// Throws Cancelled when the sink (which may be null) asks for it.
void throw_if_cancelled(const ProgressSink* sink);

}  // namespace distill
