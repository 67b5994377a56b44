// The clusterer choice the pipeline stores: one name per method.
#include "distill/cluster_methods.h"
#include "distill/error.h"

namespace distill {

ClusterMethod cluster_method_from_string(std::string_view name) {
    if (name == "community") return ClusterMethod::Community;
    if (name == "kmeans") return ClusterMethod::KMeans;
    throw Error("clustering method '" + std::string(name) + "' is not one of community, kmeans");
}

std::string to_string(ClusterMethod method) {
    return method == ClusterMethod::KMeans ? "kmeans" : "community";
}

Clusters cluster_rows(const Matrix& embeddings, const ClusterOptions& options, ProgressSink* progress) {
    if (options.method == ClusterMethod::KMeans)
        return {kmeans_clusters(embeddings, options.kmeans, progress).clusters, "cpu", std::nullopt};
    auto found = detect_communities(embeddings, options.community, progress);
    return {std::move(found.communities), found.device, std::move(found.approximation)};
}

}  // namespace distill
