// k-means with faiss (SPEC §3's alternative clusterer), shaped like the
// communities: faiss trains the centroids (k-means++ is not in faiss; it
// seeds with a random sample of rows, drawn from `seed`), an exact flat
// index assigns every row, and the clusters are ordered here.
// faiss 1.7.3's headers use uint8_t without including <cstdint>; GCC 13's
// standard headers no longer bring it in on their way (the GPU build).
#include <cstdint>

#include <faiss/Clustering.h>
#include <faiss/IndexFlat.h>
#include <faiss/impl/FaissException.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "cluster/cpu_threads.h"
#include "cluster/faiss_interrupt.h"
#include "cluster/input_checks.h"
#include "cluster/similarity_engine.h"
#include "cluster/unit_rows.h"
#include "distill/cluster_methods.h"
#include "distill/error.h"

namespace distill {
namespace {

// faiss's row index, int64_t in every version: faiss::Index::idx_t up to
// 1.7.3 (Debian 12), faiss::idx_t from 1.7.4 on (Debian 13 has 1.11).
using Idx = std::int64_t;

double cosine_to(std::span<const float> row, std::span<const float> unit_centroid) {
    double dot = 0, norm = 0;
    for (std::size_t k = 0; k < row.size(); ++k) {
        dot += double(row[k]) * unit_centroid[k];
        norm += double(row[k]) * row[k];
    }
    return norm > 0 ? dot / std::sqrt(norm) : 0.0;
}

}  // namespace

KMeansResult kmeans_clusters(const Matrix& embeddings, const KMeansOptions& options, ProgressSink* progress) {
    cluster::check_embeddings(embeddings, "embeddings");
    const std::size_t n = embeddings.rows, d = embeddings.cols, k = options.k;
    if (k < 1) throw Error("k-means with k 0 makes no clusters; use 1 or more");
    if (k > n)
        throw Error("k-means with k " + std::to_string(k) + " on " + std::to_string(n) +
                    " rows: each cluster needs a row; use k <= " + std::to_string(n));
    if (options.iterations < 1) throw Error("k-means needs at least 1 iteration");
    constexpr auto int_max = static_cast<std::size_t>(std::numeric_limits<int>::max());
    if (k > int_max || d > int_max) throw Error("k-means: k and the dimension must fit an int (faiss)");

    const Matrix x = options.spherical ? cluster::unit_rows(embeddings) : embeddings;
    faiss::ClusteringParameters cp;
    cp.niter = static_cast<int>(std::min(options.iterations, int_max));
    cp.spherical = options.spherical;
    cp.verbose = false;
    // faiss seeds an int; fold the 64-bit seed so every bit counts.
    cp.seed = static_cast<int>((options.seed ^ (options.seed >> 32)) & 0x7fffffff);
    cp.min_points_per_centroid = 1;  // small k-means are allowed; faiss would print a warning
    cp.max_points_per_centroid = options.max_training_rows_per_cluster == 0
                                     ? std::numeric_limits<int>::max()
                                     : static_cast<int>(std::min(options.max_training_rows_per_cluster, int_max));
    faiss::Clustering clustering(static_cast<int>(d), static_cast<int>(k), cp);
    faiss::IndexFlatL2 l2(static_cast<Idx>(d));
    faiss::IndexFlatIP ip(static_cast<Idx>(d));
    faiss::Index& index = options.spherical ? static_cast<faiss::Index&>(ip) : l2;

    std::vector<Idx> assigned(n);
    {
        const cluster::UsableCpuThreads threads;  // for faiss's loops
        cluster::FaissCancelScope cancel(progress);
        if (progress) progress->update("k-means", 0, 1);
        try {
            clustering.train(static_cast<Idx>(n), x.values.data(), index);
            // After training the index holds the final centroids.
            std::vector<float> distance(n);
            index.search(static_cast<Idx>(n), x.values.data(), 1, distance.data(), assigned.data());
        } catch (const faiss::FaissException& e) {
            cancel.rethrow("k-means", e.what());
        }
    }
    throw_if_cancelled(progress);

    // Unit centroids for the member order (plain k-means' are not unit).
    Matrix centroids(k, d);
    std::copy(clustering.centroids.begin(), clustering.centroids.end(), centroids.values.begin());
    const Matrix unit_centroids = cluster::unit_rows(centroids);
    std::vector<std::vector<cluster::Neighbour>> members(k);
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<std::size_t>(assigned[i]);
        members[c].push_back({static_cast<RowId>(i), static_cast<float>(cosine_to(x.row(i), unit_centroids.row(c)))});
    }
    std::vector<std::size_t> order;
    for (std::size_t c = 0; c < k; ++c)
        if (!members[c].empty()) order.push_back(c);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return members[a].size() > members[b].size(); });

    KMeansResult result;
    result.centroids = Matrix(order.size(), d);
    for (std::size_t rank = 0; rank < order.size(); ++rank) {
        auto& list = members[order[rank]];
        std::sort(list.begin(), list.end(), cluster::ranks_before);
        Community cluster;
        cluster.reserve(list.size());
        for (const auto& m : list) cluster.push_back(m.id);
        result.clusters.push_back(std::move(cluster));
        const auto centroid = centroids.row(order[rank]);
        std::copy(centroid.begin(), centroid.end(), result.centroids.row(rank).begin());
    }
    if (progress) progress->update("k-means", 1, 1);
    return result;
}

}  // namespace distill
