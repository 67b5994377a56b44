#pragma once
// What the engine computes with: the libtorch build, CPU threads and CUDA
// devices. Shown by `distill --version` and the GUI's About box, and used to
// pick a device for `--device auto`.
#include <string>

namespace distill {

struct ComputeInfo {
    std::string torch_version;
    // The CPUs this process may use (usable_cpu_count()): what clustering,
    // search, format and export run on.
    int usable_cpus = 1;
    // libtorch's intra-op pool, which CPU embedding runs on: one thread per
    // physical core (or OMP_NUM_THREADS). Clustering, search and k-means
    // raise the calling thread's pool to the usable CPUs while they run.
    int torch_threads = 1;
    int cuda_devices = 0;                 // 0 on a CPU-only build or machine
    std::string summary() const;          // one line, for people
};

ComputeInfo compute_info();

// The CPUs this process may use, at least 1: its affinity mask (what a SLURM
// job's cpuset or `taskset` grants, where std::thread::hardware_concurrency()
// counts every CPU of the node), capped by a cgroup CPU quota (a container's
// --cpus, a Kubernetes CPU limit). Thread counts default to it.
unsigned usable_cpu_count();

// The tightest cgroup CPU quota, ceil(quota / period), on the process's
// cgroup and its ancestors (a limit may sit on a parent slice), in every
// hierarchy with the CPU controller that `proc_self`/mountinfo lists: v2's
// "cpu.max" and v1's "cpu.cfs_quota_us" over "cpu.cfs_period_us", wherever
// they are mounted. 0 when there is none.
unsigned cgroup_cpu_quota(const std::string& proc_self = "/proc/self");

// The project's version, e.g. "0.1.0".
const char* version();

}  // namespace distill
