// The cluster map's data (SPEC §3, §7) and its JSON file for the GUI.
#include <cmath>
#include <fstream>

#include "cluster/unit_rows.h"
#include "distill/atomic_file.h"
#include "distill/cluster_map.h"
#include "distill/error.h"

namespace distill {
namespace {

constexpr const char* kFormat = "distill-cluster-map";
constexpr int kVersion = 1;

// Six decimals are far below a pixel of any plot and keep the file short.
double rounded(double v) { return std::round(v * 1e6) / 1e6; }

void check_clusters(const std::vector<Community>& clusters, std::size_t rows) {
    std::vector<std::uint8_t> seen(rows, 0);
    for (std::size_t c = 0; c < clusters.size(); ++c) {
        if (clusters[c].empty()) throw Error("cluster " + std::to_string(c) + " is empty; a cluster needs members");
        for (const RowId row : clusters[c]) {
            if (row >= rows)
                throw Error("cluster " + std::to_string(c) + " names row " + std::to_string(row) +
                            " but the embeddings have " + std::to_string(rows) + " rows; cluster these embeddings");
            if (seen[row]++)
                throw Error("row " + std::to_string(row) + " is in two clusters (again in cluster " +
                            std::to_string(c) + "); each row belongs to one cluster at most");
        }
    }
}

}  // namespace

ClusterMap build_cluster_map(const Matrix& embeddings, const std::vector<Community>& clusters,
                             const std::vector<Community>& sampled, const std::vector<std::string>& questions,
                             const MapOptions& options, ProgressSink* progress) {
    if (options.projection.components != 2)
        throw Error("the cluster map is 2-D; its projection needs 2 components, not " +
                    std::to_string(options.projection.components));
    if (!sampled.empty() && sampled.size() != clusters.size())
        throw Error("the sample has " + std::to_string(sampled.size()) + " lists for " +
                    std::to_string(clusters.size()) + " clusters; sample these clusters");
    if (!questions.empty() && questions.size() != embeddings.rows)
        throw Error(std::to_string(questions.size()) + " questions for " + std::to_string(embeddings.rows) +
                    " embedding rows; give the corpus the embeddings were made from, row for row");
    check_clusters(clusters, embeddings.rows);
    ClusterMap map;
    map.projection = pca_projection(embeddings, options.projection, progress);

    std::size_t covered = 0;
    for (std::size_t c = 0; c < clusters.size(); ++c) {
        throw_if_cancelled(progress);
        ClusterSummary s;
        s.size = clusters[c].size();
        s.members = clusters[c];
        if (!sampled.empty()) s.sampled = sampled[c];
        std::vector<double> direction(embeddings.cols, 0);
        std::vector<float> unit(embeddings.cols);
        for (const RowId row : clusters[c]) {
            s.centre_2d[0] += map.projection.points.row(row)[0];
            s.centre_2d[1] += map.projection.points.row(row)[1];
            const auto values = embeddings.row(row);
            std::copy(values.begin(), values.end(), unit.begin());
            cluster::normalise(unit);
            for (std::size_t k = 0; k < unit.size(); ++k) direction[k] += unit[k];
        }
        for (auto& v : s.centre_2d) v /= static_cast<double>(s.size);
        s.centroid.assign(direction.begin(), direction.end());
        cluster::normalise(s.centroid);
        covered += s.size;
        map.clusters.push_back(std::move(s));
    }
    map.outliers = embeddings.rows - covered;
    if (!questions.empty() && options.keywords > 0) {
        if (progress) progress->update("map: keywords", 0, 1);
        auto keywords = class_keywords(questions, clusters, options.keywords);
        for (std::size_t c = 0; c < clusters.size(); ++c) map.clusters[c].keywords = std::move(keywords[c]);
        if (progress) progress->update("map: keywords", 1, 1);
    }
    return map;
}

void write_cluster_map(const std::string& path, const ClusterMap& map) {
    const auto& p = map.projection;
    nlohmann::ordered_json points = nlohmann::ordered_json::array();
    for (std::size_t i = 0; i < p.points.rows; ++i)
        points.push_back({rounded(p.points.row(i)[0]), rounded(p.points.row(i)[1])});
    nlohmann::ordered_json ratios = nlohmann::ordered_json::array();
    for (const double r : p.explained_variance_ratio) ratios.push_back(rounded(r));
    nlohmann::ordered_json clusters = nlohmann::ordered_json::array();
    for (const auto& s : map.clusters) {
        nlohmann::ordered_json centroid = nlohmann::ordered_json::array(), keywords = nlohmann::ordered_json::array();
        for (const float v : s.centroid) centroid.push_back(rounded(v));
        for (const auto& k : s.keywords) keywords.push_back({{"term", k.term}, {"score", rounded(k.score)}});
        clusters.push_back({{"size", s.size},
                            {"centre_2d", {rounded(s.centre_2d[0]), rounded(s.centre_2d[1])}},
                            {"centroid", std::move(centroid)},
                            {"keywords", std::move(keywords)},
                            {"members", s.members},
                            {"sampled", s.sampled}});
    }
    nlohmann::ordered_json doc = {
        {"format", kFormat},
        {"version", kVersion},
        {"rows", p.points.rows},
        {"dimensions", p.components.cols},
        {"clustering", map.clustering},
        {"projection",
         {{"method", "pca"}, {"device", p.device}, {"explained_variance_ratio", std::move(ratios)},
          {"points", std::move(points)}}},
        {"outliers", map.outliers},
        {"clusters", std::move(clusters)},
    };
    write_file_atomically(path, [&](std::ostream& out) { out << doc.dump() << '\n'; });
}

ClusterMap read_cluster_map(const std::string& path) {
    const auto bad = [&](const std::string& problem) {
        return Error(located_message(path, 0, problem, "write it again with `distill communities --map`"));
    };
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(located_message(path, 0, "cannot open the cluster map", "check the path"));
    nlohmann::ordered_json doc;
    try {
        doc = nlohmann::ordered_json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw bad(std::string("is not valid JSON (") + e.what() + ")");
    }
    if (!doc.is_object() || doc.value("format", "") != kFormat) throw bad("is not a distill cluster map");
    if (doc.value("version", 0) > kVersion)
        throw Error(located_message(path, 0, "is a cluster map of a newer version",
                                    "open it with a newer Distill Studio"));
    ClusterMap map;
    try {
        const auto rows = doc.at("rows").get<std::size_t>();
        const auto& projection = doc.at("projection");
        const auto& points = projection.at("points");
        if (points.size() != rows) throw bad(std::to_string(points.size()) + " points for " + std::to_string(rows) + " rows");
        map.projection.points = Matrix(rows, 2);
        for (std::size_t i = 0; i < rows; ++i) {
            map.projection.points.row(i)[0] = points[i].at(0).get<float>();
            map.projection.points.row(i)[1] = points[i].at(1).get<float>();
        }
        map.projection.explained_variance_ratio = projection.at("explained_variance_ratio").get<std::vector<double>>();
        map.projection.device = projection.at("device").get<std::string>();
        map.clustering = doc.at("clustering");
        map.outliers = doc.at("outliers").get<std::size_t>();
        for (const auto& c : doc.at("clusters")) {
            ClusterSummary s;
            s.size = c.at("size").get<std::size_t>();
            s.centre_2d = c.at("centre_2d").get<std::array<double, 2>>();
            s.centroid = c.at("centroid").get<std::vector<float>>();
            s.members = c.at("members").get<Community>();
            s.sampled = c.at("sampled").get<Community>();
            for (const auto& k : c.at("keywords"))
                s.keywords.push_back({k.at("term").get<std::string>(), k.at("score").get<double>()});
            if (s.members.size() != s.size)
                throw bad("cluster " + std::to_string(map.clusters.size()) + " lists " +
                          std::to_string(s.members.size()) + " members for size " + std::to_string(s.size));
            map.clusters.push_back(std::move(s));
        }
    } catch (const nlohmann::json::exception& e) {
        throw bad(std::string("does not hold a cluster map's fields (") + e.what() + ")");
    }
    std::vector<Community> clusters;
    for (const auto& s : map.clusters) clusters.push_back(s.members);
    try {
        check_clusters(clusters, map.projection.points.rows);
    } catch (const Error& e) {
        throw bad(e.what());
    }
    return map;
}

}  // namespace distill
