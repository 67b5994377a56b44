#pragma once
// What the cluster map shows (SPEC §3 "For the map", §7): a 2-D PCA
// projection of every row and, per cluster, its size, centre, members, the
// members sampled from it and a few keywords by class-based TF-IDF. The
// projection runs on libtorch (the run's device); keywords and the JSON are
// plain C++, so the GUI can read the file without either.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "distill/cluster.h"

namespace distill {

struct PcaOptions {
    std::size_t components = 2;  // 1 <= components <= dimensions
    // Project the L2-normalised rows (the geometry every clusterer here
    // works in, cosine) rather than the rows as given.
    bool unit_rows = true;
    std::string device = "auto";  // auto, cpu or cuda
};

struct Projection {
    Matrix points;      // rows x components: each row's coordinates
    Matrix components;  // components x dimensions: unit principal axes, strongest first
    std::vector<float> mean;  // the centre the rows were shifted by
    // Share of the total variance along each axis. An axis' sign is chosen
    // so its coordinate of largest magnitude is positive (like sklearn's
    // svd_flip), which makes the projection reproducible.
    std::vector<double> explained_variance_ratio;
    std::string device;  // "cpu" or "cuda"
};

// Exact PCA: the dims x dims covariance (accumulated in float64 over blocks
// of rows, never a centred copy of the data) and its eigendecomposition.
// Throws distill::Error on empty input, NaN or infinite values, fewer than
// 2 rows or a bad component count; throws Cancelled when progress asks.
Projection pca_projection(const Matrix& embeddings, const PcaOptions& options = {},
                          ProgressSink* progress = nullptr);

// The words keywords are made of: the text lowercased (ASCII letters;
// other UTF-8 stays as it is), split at every byte that is not a letter,
// a digit, an apostrophe inside a word or non-ASCII; then tokens of one
// character, tokens with no letter (numbers, "3.5" pieces) and a short
// English stop-word list (kEnglishStopWords in keywords.cpp) are dropped.
std::vector<std::string> keyword_tokens(std::string_view text);

struct Keyword {
    std::string term;
    double score = 0;
};

// c-TF-IDF as BERTopic's ClassTfidfTransformer defines it: for term t and
// class c, W = tf(t, c) / words(c) * log(1 + A / f(t)), with A the average
// number of words per class (truncated to an integer, as BERTopic does) and
// f(t) the frequency of t over all classes. Each of `classes` is a class of
// rows of `texts`; the rows in none form one more class (BERTopic's outlier
// topic), which counts in A and f but gets no keywords. Returns the top_n
// terms of every class, best first (equal scores alphabetically).
std::vector<std::vector<Keyword>> class_keywords(const std::vector<std::string>& texts,
                                                 const std::vector<Community>& classes, std::size_t top_n);

struct MapOptions {
    std::size_t keywords = 8;  // per cluster; 0 for none
    PcaOptions projection;     // components must stay 2
};

struct ClusterSummary {
    std::size_t size = 0;
    std::array<double, 2> centre_2d{};  // mean of the members' points
    std::vector<float> centroid;        // mean of the members' unit rows, normalised: the cluster's direction
    Community members;                  // as the clusterer ordered them
    Community sampled;                  // the members the sample took (empty when none was drawn)
    std::vector<Keyword> keywords;
};

struct ClusterMap {
    Projection projection;
    std::vector<ClusterSummary> clusters;  // in the clusterer's order
    std::size_t outliers = 0;              // rows in no cluster
    // What produced the clusters (method, threshold, k, sample...), for
    // people and the GUI; build_cluster_map leaves it to the caller.
    nlohmann::ordered_json clustering = nlohmann::ordered_json::object();
};

// `sampled` is empty or one list per cluster (sample_communities' output);
// `questions` is empty (no keywords) or one text per row. Throws
// distill::Error when clusters name rows that do not exist or a row twice,
// or when the lists do not match.
ClusterMap build_cluster_map(const Matrix& embeddings, const std::vector<Community>& clusters,
                             const std::vector<Community>& sampled, const std::vector<std::string>& questions,
                             const MapOptions& options = {}, ProgressSink* progress = nullptr);

// The map as JSON, written atomically:
//   {"format": "distill-cluster-map", "version": 1, "rows": N, "dimensions": D,
//    "clustering": {...},
//    "projection": {"method": "pca", "device": "cpu",
//                   "explained_variance_ratio": [r1, r2], "points": [[x, y], ...]},
//    "outliers": K,
//    "clusters": [{"size": n, "centre_2d": [x, y], "centroid": [D floats],
//                  "keywords": [{"term": "...", "score": s}, ...],
//                  "members": [row, ...], "sampled": [row, ...]}, ...]}
// Rows are 0-based row ids of the embeddings; points are in row order;
// coordinates are rounded to 1e-6. The PCA's axes and mean are not stored.
void write_cluster_map(const std::string& path, const ClusterMap& map);

// Reads what write_cluster_map wrote (projection.components and .mean stay
// empty). Throws distill::Error naming the file when it is not such a map,
// is of a newer version, or does not hold together.
ClusterMap read_cluster_map(const std::string& path);

}  // namespace distill
