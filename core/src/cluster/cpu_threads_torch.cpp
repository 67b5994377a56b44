#include "cluster/cpu_threads.h"

#include <ATen/Parallel.h>

#include <cstdlib>

#include "distill/compute_info.h"

namespace distill::cluster {

UsableCpuThreads::UsableCpuThreads() {
    const int wanted = count(), before = at::get_num_threads();
    if (wanted == before) return;
    at::set_num_threads(wanted);  // up here; down on a big node's small cpuset
    restore_ = before;
}

UsableCpuThreads::~UsableCpuThreads() {
    if (restore_ > 0) at::set_num_threads(restore_);
}

int UsableCpuThreads::count() {
    return std::getenv("OMP_NUM_THREADS") ? at::get_num_threads() : static_cast<int>(usable_cpu_count());
}

}  // namespace distill::cluster
