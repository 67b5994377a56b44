#include "terminal_progress.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>

namespace distill::cli {
namespace {

// The signal that asked to stop, 0 while none has.
std::atomic<int> g_stop_signal{0};

// The first signal is the one reported; lock-free, so safe in a handler.
extern "C" void on_stop_signal(int signal) {
    int none = 0;
    g_stop_signal.compare_exchange_strong(none, signal);
}

// Ctrl-C, a scheduler's SIGTERM (SLURM and Kubernetes send it before SIGKILL
// at a time limit) and a closed terminal's SIGHUP all ask for the same
// cooperative stop. A signal ignored when we start (nohup, a background job
// of a non-interactive shell) stays ignored, as the caller asked.
void catch_stop_signal(int signal) {
    struct sigaction current = {};
    if (::sigaction(signal, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) return;
    // A second Ctrl-C falls back to the default action and kills at once. Not
    // so SIGHUP and SIGTERM: a closing terminal sends SIGHUP twice (the shell
    // passes it on, the kernel sends it again), and a scheduler's SIGKILL
    // follows its SIGTERM anyway; the run needs those moments to clean up.
    struct sigaction sa = {};
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = signal == SIGINT ? SA_RESETHAND : 0;
    ::sigaction(signal, &sa, nullptr);
}

std::string human_eta(double seconds) {
    char buf[32];
    if (seconds < 60) std::snprintf(buf, sizeof buf, "%.0fs", seconds);
    else if (seconds < 3600) std::snprintf(buf, sizeof buf, "%dm%02ds", int(seconds) / 60, int(seconds) % 60);
    else std::snprintf(buf, sizeof buf, "%dh%02dm", int(seconds) / 3600, int(seconds) / 60 % 60);
    return buf;
}

}  // namespace

TerminalProgress::TerminalProgress() : interactive_(::isatty(STDERR_FILENO) != 0) {
    for (const int signal : {SIGINT, SIGTERM, SIGHUP}) catch_stop_signal(signal);
}

TerminalProgress::~TerminalProgress() { finish(); }

bool TerminalProgress::cancel_requested() const { return g_stop_signal.load() != 0; }

int stop_signal() { return g_stop_signal.load(); }

void TerminalProgress::update(std::string_view stage, std::uint64_t done, std::uint64_t total) {
    const auto now = Clock::now();
    if (stage != stage_) {
        finish();
        stage_ = stage;
        stage_start_ = now;
        last_draw_ = {};
        stage_complete_ = false;
    }
    const bool complete = total > 0 && done >= total;
    if (stage_complete_) return;  // drawn at 100% already
    stage_complete_ = complete;
    const auto min_gap = interactive_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(5000);
    // In a log, a stage that ends within the first gap gets no lines at all:
    // the caller's summary line says it ran, and logs stay readable.
    if (!interactive_ && now - stage_start_ < min_gap) return;
    if (!complete && now - last_draw_ < min_gap) return;
    last_draw_ = now;

    const double elapsed = std::chrono::duration<double>(now - stage_start_).count();
    std::string line = stage_ + " ";
    if (total > 0) {
        const double fraction = double(done) / double(total);
        char pct[16];
        std::snprintf(pct, sizeof pct, "%5.1f%%", 100.0 * fraction);
        if (interactive_) {
            const int width = 30, filled = int(fraction * width);
            line += "[" + std::string(size_t(filled), '#') + std::string(size_t(width - filled), '.') + "] ";
        }
        line += pct;
        if (fraction > 0 && !complete) line += "  eta " + human_eta(elapsed * (1 - fraction) / fraction);
    } else {
        line += std::to_string(done);
    }
    line += "  " + human_eta(elapsed);
    if (interactive_) {
        std::fprintf(stderr, "\r\033[K%s", line.c_str());
        line_open_ = true;
    } else {
        std::fprintf(stderr, "%s\n", line.c_str());
    }
    if (complete) finish();
}

void TerminalProgress::finish() {
    if (line_open_) std::fputc('\n', stderr);
    line_open_ = false;
}

}  // namespace distill::cli
