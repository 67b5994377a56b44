#pragma once
// The clusterers a curator can choose (SPEC §3), behind one small choice the
// pipeline can store in a project: "community" (exact community detection,
// distill/cluster.h) or "kmeans" (faiss). Both give clusters in one shape:
// lists of row ids, largest first, members by descending cosine to the
// cluster's centre (its seed row, or its centroid).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "distill/cluster.h"

namespace distill {

struct KMeansOptions {
    std::size_t k = 100;          // clusters; 1 <= k <= rows
    std::size_t iterations = 25;  // faiss's default
    std::uint64_t seed = 42;      // same seed, same clusters
    // Spherical (cosine) k-means: rows and centroids are L2-normalised and
    // rows go to the centroid of highest inner product. false: plain
    // Euclidean k-means on the rows as given.
    bool spherical = true;
    // faiss trains on at most this many rows per centroid (a seeded
    // subsample; every row is still assigned). 0 trains on every row.
    std::size_t max_training_rows_per_cluster = 256;
};

struct KMeansResult {
    // Non-empty clusters, largest first (equal sizes in centroid order);
    // members by descending cosine to their centroid, ties by row id.
    // Every row is in exactly one cluster: k-means leaves no outliers.
    std::vector<Community> clusters;
    Matrix centroids;  // one row per cluster, in cluster order (unit length when spherical)
};

// Throws distill::Error on empty input, NaN or infinite values, k 0 or
// k > rows, iterations 0; throws Cancelled when progress asks (polled by
// faiss between its iterations and search blocks).
KMeansResult kmeans_clusters(const Matrix& embeddings, const KMeansOptions& options,
                             ProgressSink* progress = nullptr);

enum class ClusterMethod { Community, KMeans };

// "community" or "kmeans"; throws distill::Error naming both otherwise.
ClusterMethod cluster_method_from_string(std::string_view name);
std::string to_string(ClusterMethod method);

struct ClusterOptions {
    ClusterMethod method = ClusterMethod::Community;
    CommunityOptions community;  // used when method is Community
    KMeansOptions kmeans;        // used when method is KMeans
};

struct Clusters {
    std::vector<Community> clusters;  // largest first; rows in none are outliers
    std::string device;               // where similarities were computed ("cpu" for k-means)
    std::optional<ApproximationReport> approximation;  // approximate community detection's recall
};

// The chosen clusterer on `embeddings`.
Clusters cluster_rows(const Matrix& embeddings, const ClusterOptions& options, ProgressSink* progress = nullptr);

}  // namespace distill
