#pragma once
// faiss polls one process-wide InterruptCallback between k-means iterations
// and search blocks. FaissCancelScope installs one that forwards a
// ProgressSink's cancel request for as long as it lives, and holds a mutex
// so that two faiss runs (k-means, the approximate community search) never
// install theirs over each other.
#include <mutex>

#include "distill/progress.h"

namespace distill::cluster {

class FaissCancelScope {
public:
    explicit FaissCancelScope(ProgressSink* progress);  // progress may be null: nothing to forward
    ~FaissCancelScope();
    FaissCancelScope(const FaissCancelScope&) = delete;
    FaissCancelScope& operator=(const FaissCancelScope&) = delete;

    // Call in a catch of faiss::FaissException: faiss reports an interrupt
    // as an exception of its own; this throws Cancelled when that was it,
    // else distill::Error("<what> failed in faiss: ...").
    [[noreturn]] void rethrow(const char* what, const char* faiss_message) const;

private:
    std::unique_lock<std::mutex> lock_;
    ProgressSink* progress_;
};

}  // namespace distill::cluster
