#include "cluster/blas_threads.h"

#include <dlfcn.h>
#include <omp.h>

namespace distill::cluster {
namespace {

// Looked up, not linked: the BLAS is whichever libblas.so.3 the machine's
// alternatives name, and only OpenBLAS has these.
using GetThreads = int (*)();
using SetThreads = void (*)(int);

GetThreads openblas_get() { return reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads")); }
SetThreads openblas_set() { return reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads")); }

}  // namespace

SingleThreadedBlas::SingleThreadedBlas() {
    const auto get = openblas_get();
    const auto set = openblas_set();
    if (!get || !set) return;
    const int before = get();
    if (before <= 1) return;
    set(1);
    restore_ = before;
}

SingleThreadedBlas::~SingleThreadedBlas() {
    if (restore_ > 0) openblas_set()(restore_);
}

SingleThreadedOpenMp::SingleThreadedOpenMp() : restore_(omp_get_max_threads()) { omp_set_num_threads(1); }
SingleThreadedOpenMp::~SingleThreadedOpenMp() { omp_set_num_threads(restore_); }

}  // namespace distill::cluster
