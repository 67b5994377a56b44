#include "cluster/unit_rows.h"

#include <algorithm>
#include <cmath>

namespace distill::cluster {

void normalise(std::span<float> v) {
    double sum = 0;
    for (const float x : v) sum += double(x) * x;
    const auto scale = static_cast<float>(1.0 / std::max(std::sqrt(sum), 1e-12));
    for (float& x : v) x *= scale;
}

Matrix unit_rows(const Matrix& m) {
    Matrix out = m;
    for (std::size_t i = 0; i < out.rows; ++i) normalise(out.row(i));
    return out;
}

}  // namespace distill::cluster
