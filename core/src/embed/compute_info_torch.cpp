#include "distill/compute_info.h"

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

namespace distill {

const char* version() { return DISTILL_VERSION; }

ComputeInfo compute_info() {
    ComputeInfo info;
    info.torch_version = TORCH_VERSION;
    info.usable_cpus = static_cast<int>(usable_cpu_count());
    info.torch_threads = at::get_num_threads();
    info.cuda_devices = static_cast<int>(torch::cuda::device_count());
    return info;
}

std::string ComputeInfo::summary() const {
    std::string s = "libtorch " + torch_version + ", " + std::to_string(usable_cpus) + " usable CPU(s) (libtorch's pool: " +
                    std::to_string(torch_threads) + " thread(s))";
    s += cuda_devices > 0 ? ", " + std::to_string(cuda_devices) + " CUDA device(s)" : ", no CUDA device";
    return s;
}

}  // namespace distill
