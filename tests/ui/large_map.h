#pragma once
// The outcome of a 700k-row run as the cluster map sees it, made directly
// rather than by running the pipeline on that many rows: 2000 clusters of
// 300 rows, each a blob on a 50 x 40 grid (rows 0..599999, cluster by
// cluster in row order), and 100k outliers strewn over the grid (the rows
// after). It has no records: a suite that reads questions adds its own.
#include <cstdint>
#include <memory>

#include "pipeline_worker.h"

namespace distill::ui {

constexpr std::size_t kLargeMapClusters = 2000, kLargeMapClusterSize = 300, kLargeMapOutliers = 100000;
constexpr std::size_t kLargeMapRows = kLargeMapClusters * kLargeMapClusterSize + kLargeMapOutliers;

inline std::shared_ptr<PipelineOutcome> largeMapOutcome() {
    auto outcome = std::make_shared<PipelineOutcome>();
    Matrix& points = outcome->map.projection.points;
    points = Matrix(kLargeMapRows, 2);
    std::uint64_t state = 12345;
    const auto uniform = [&] {  // xorshift: cheap, deterministic
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        return double(state >> 11) / double(1ULL << 53);
    };
    for (std::size_t c = 0; c < kLargeMapClusters; ++c) {
        ClusterSummary cluster;
        cluster.size = kLargeMapClusterSize;
        for (std::size_t i = 0; i < kLargeMapClusterSize; ++i) {
            const RowId row = RowId(c * kLargeMapClusterSize + i);
            points.row(row)[0] = float(double(c % 50) + uniform() * 0.8);
            points.row(row)[1] = float(double(c / 50) + uniform() * 0.8);
            cluster.members.push_back(row);
        }
        outcome->map.clusters.push_back(std::move(cluster));
    }
    for (std::size_t row = kLargeMapClusters * kLargeMapClusterSize; row < kLargeMapRows; ++row) {
        points.row(row)[0] = float(uniform() * 50);
        points.row(row)[1] = float(uniform() * 40);
    }
    outcome->map.outliers = kLargeMapOutliers;
    return outcome;
}

}  // namespace distill::ui
