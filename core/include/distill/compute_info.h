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

// The CPUs this process may use, at least 1: its affinity mask (what a SLURM
// job's cpuset or `taskset` grants, where std::thread::hardware_concurrency()
// counts every CPU of the node), capped by a cgroup v2 CPU quota (a
// container's --cpus, a Kubernetes CPU limit). Thread counts default to it.
unsigned usable_cpu_count();

// The tightest cgroup v2 CPU quota, ceil(quota / period) of "cpu.max", on the
// process's cgroup (the "0::PATH" line of `proc_self_cgroup`) and its
// ancestors under `cgroup_root`, since a limit may sit on a parent slice; 0
// when there is none or the host has no cgroup v2.
unsigned cgroup_cpu_quota(const std::string& proc_self_cgroup = "/proc/self/cgroup",
                          const std::string& cgroup_root = "/sys/fs/cgroup");

// The project's version, e.g. "0.1.0".
const char* version();

}  // namespace distill
