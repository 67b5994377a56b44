#pragma once
// What the engine computes with: the libtorch build, CPU threads and CUDA
// devices. Shown by `distill --version` and the GUI's About box, and used to
// pick a device for `--device auto`.
#include <string>

namespace distill {

struct ComputeInfo {
    std::string torch_version;
    int cpu_threads = 1;                  // intra-op threads libtorch will use
    int cuda_devices = 0;                 // 0 on a CPU-only build or machine
    std::string summary() const;          // one line per item, for people
};

ComputeInfo compute_info();

// The project's version, e.g. "0.1.0".
const char* version();

}  // namespace distill
