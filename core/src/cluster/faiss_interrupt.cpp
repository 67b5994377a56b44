#include "cluster/faiss_interrupt.h"

// faiss 1.7.3's headers use uint8_t without including <cstdint>; GCC 13's
// standard headers no longer bring it in on their way (the GPU build).
#include <cstdint>

#include <faiss/impl/AuxIndexStructures.h>

#include <memory>
#include <string>

#include "distill/error.h"

namespace distill::cluster {
namespace {

class CancelFromProgress : public faiss::InterruptCallback {
public:
    explicit CancelFromProgress(const ProgressSink* progress) : progress_(progress) {}
    bool want_interrupt() override { return progress_->cancel_requested(); }

private:
    const ProgressSink* progress_;
};

std::mutex& faiss_interrupt_mutex() {
    static std::mutex m;
    return m;
}

}  // namespace

FaissCancelScope::FaissCancelScope(ProgressSink* progress) : lock_(faiss_interrupt_mutex()), progress_(progress) {
    if (progress) faiss::InterruptCallback::instance = std::make_unique<CancelFromProgress>(progress);
}

FaissCancelScope::~FaissCancelScope() { faiss::InterruptCallback::clear_instance(); }

void FaissCancelScope::rethrow(const char* what, const char* faiss_message) const {
    throw_if_cancelled(progress_);
    throw Error(std::string(what) + " failed in faiss: " + faiss_message);
}

}  // namespace distill::cluster
