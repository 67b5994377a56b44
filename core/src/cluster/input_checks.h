#pragma once
// Checks every clustering entry point makes before any similarity is
// computed, so bad input fails with a message instead of a wrong result.
#include <string>

#include "distill/matrix.h"

namespace distill::cluster {

// Throws distill::Error when `m` (called `what` in the message) has no rows
// or columns, more rows than a RowId holds, or a NaN or infinite value.
void check_embeddings(const Matrix& m, const std::string& what);

}  // namespace distill::cluster
