#pragma once
// L2 normalisation on the CPU, as torch.nn.functional.normalize does it
// (x / max(||x||, 1e-12), so a zero row stays zero), for the parts of the
// stage that do not go through the similarity engine.
#include <span>

#include "distill/matrix.h"

namespace distill::cluster {

void normalise(std::span<float> v);

// A copy of `m` with every row normalised.
Matrix unit_rows(const Matrix& m);

}  // namespace distill::cluster
