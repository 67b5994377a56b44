#pragma once
// The CPU threads of the clustering stage's parallel work.
//
// libtorch's parallel_for and faiss's loops both run on the calling thread's
// OpenMP pool. Debian's libtorch sizes it by *physical* cores as cpuinfo sees
// them: 1 on this project's 2-vCPU build machine, so the tile scans (and on a
// GPU machine the merge of each tile's hits) and faiss would run on one core.
// CPU embedding, which runs on the same pool, measured slower on a larger one
// (18 against 22 questions/s for MPNet-base on the 2 vCPUs: its OpenMP workers
// contend with OpenBLAS's threads), so the pool is raised only while the
// clustering work runs, on the thread that runs it.

namespace distill::cluster {

// While it lives, the calling thread's pool has one thread per usable CPU
// (usable_cpu_count(); an OMP_NUM_THREADS set by the user wins); the size it
// had comes back after. Make it on the stack of the thread that does the
// work: OpenMP's pool size is a per-thread setting. (libtorch also records
// the size for threads that first use it meanwhile; they keep it.)
class UsableCpuThreads {
public:
    UsableCpuThreads();
    ~UsableCpuThreads();
    UsableCpuThreads(const UsableCpuThreads&) = delete;
    UsableCpuThreads& operator=(const UsableCpuThreads&) = delete;

    // The pool's size while one lives.
    static int count();

private:
    int restore_ = 0;  // the size to give back; 0: none
};

}  // namespace distill::cluster
