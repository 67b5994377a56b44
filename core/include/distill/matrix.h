#pragma once
// The one dense matrix type core hands across its interfaces: row-major
// float32, as embeddings are stored on disk (.npy) and fed to BLAS/libtorch.
#include <cstddef>
#include <span>
#include <vector>

namespace distill {

struct Matrix {
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<float> values;  // rows * cols, row after row

    Matrix() = default;
    Matrix(std::size_t r, std::size_t c) : rows(r), cols(c), values(r * c) {}

    std::span<float> row(std::size_t i) { return {values.data() + i * cols, cols}; }
    std::span<const float> row(std::size_t i) const { return {values.data() + i * cols, cols}; }
    bool empty() const { return rows == 0; }
};

}  // namespace distill
