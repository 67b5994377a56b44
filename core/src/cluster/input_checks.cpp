#include "cluster/input_checks.h"

#include <cmath>
#include <limits>

#include "distill/cluster.h"
#include "distill/error.h"

namespace distill::cluster {

void check_embeddings(const Matrix& m, const std::string& what) {
    if (m.rows == 0 || m.cols == 0)
        throw Error(what + " are empty (" + std::to_string(m.rows) + " x " + std::to_string(m.cols) +
                    "); embed the corpus first, one row per question");
    if (m.values.size() != m.rows * m.cols)
        throw Error(what + ": " + std::to_string(m.values.size()) + " values for " + std::to_string(m.rows) + " x " +
                    std::to_string(m.cols) + "; the matrix is inconsistent");
    if (m.rows > std::numeric_limits<RowId>::max())
        throw Error(what + " have " + std::to_string(m.rows) + " rows; at most " +
                    std::to_string(std::numeric_limits<RowId>::max()) + " are supported");
    for (std::size_t i = 0; i < m.rows; ++i)
        for (const float v : m.row(i))
            if (!std::isfinite(v))
                throw Error(what + ": row " + std::to_string(i) + " (0-based) contains NaN or infinity; "
                            "re-embed that question or drop it from the corpus");
}

}  // namespace distill::cluster
