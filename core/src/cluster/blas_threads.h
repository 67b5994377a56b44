#pragma once
// OpenBLAS's and OpenMP's thread counts, for work that calls BLAS (or faiss)
// from several threads at once.
//
// A small matmul (a few hundred rows by a few hundred) gains almost nothing
// from OpenBLAS's threads: its workers are woken, synchronised and put back
// to sleep for a few microseconds of work each. Many such products run
// faster side by side, each on one thread; with OpenBLAS's threads left on
// they would also queue behind each other on its one thread server.

namespace distill::cluster {

// While it lives, OpenBLAS runs every call on the calling thread; the count
// it had comes back after. With another BLAS (Debian's alternatives may
// point libblas.so.3 elsewhere) it does nothing.
class SingleThreadedBlas {
public:
    SingleThreadedBlas();
    ~SingleThreadedBlas();
    SingleThreadedBlas(const SingleThreadedBlas&) = delete;
    SingleThreadedBlas& operator=(const SingleThreadedBlas&) = delete;

private:
    int restore_ = 0;  // the count to give back; 0: none
};

// While it lives, OpenMP regions started on the calling thread run on it
// alone (faiss's loops for small products); its count comes back after. A
// thread that is not OpenMP's own otherwise starts as many as the machine
// has CPUs, not the usable count UsableCpuThreads gives its caller.
class SingleThreadedOpenMp {
public:
    SingleThreadedOpenMp();
    ~SingleThreadedOpenMp();
    SingleThreadedOpenMp(const SingleThreadedOpenMp&) = delete;
    SingleThreadedOpenMp& operator=(const SingleThreadedOpenMp&) = delete;

private:
    int restore_;
};

}  // namespace distill::cluster
