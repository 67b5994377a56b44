#pragma once
// OpenBLAS's own thread count, for work that calls BLAS from several threads
// at once.
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

}  // namespace distill::cluster
