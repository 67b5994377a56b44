#pragma once
// NumPy .npy files of 2-D float32 arrays: how embeddings are imported,
// exported and cached, readable by np.load and by the reference tools.
#include <cstddef>
#include <string>

#include "distill/matrix.h"

namespace distill {

// Reads a 2-D array of little-endian float32 (float64 and float16 are
// converted), in C or Fortran order. Throws distill::Error naming the file
// and what is expected for anything else: not an .npy, another dtype, not
// 2-D, or fewer bytes than the header promises (a truncated copy).
Matrix read_npy(const std::string& path);

// The shape read_npy would return, after the same checks, without reading
// the values: what a caller that only needs to know the vectors are there
// (the last run's embeddings, 2 GB at 700k rows) reads instead.
struct NpyShape {
    std::size_t rows = 0, cols = 0;
};
NpyShape read_npy_shape(const std::string& path);

// Writes `m` as a version 1.0 .npy of '<f4', atomically.
void write_npy(const std::string& path, const Matrix& m);

}  // namespace distill
