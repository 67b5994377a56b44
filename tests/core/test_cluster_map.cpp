// The cluster map's data (SPEC §3 "For the map"): PCA checked against
// numpy's SVD, c-TF-IDF keywords on hand-made questions with obvious
// topics, and the JSON file read back by Python.
#include <QtTest>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "distill/cluster.h"
#include "distill/cluster_map.h"
#include "distill/error.h"
#include "distill/npy.h"
#include "support/test_support.h"

using namespace distill::test;

namespace {

using distill::Community;
using distill::Matrix;

double max_abs_difference(const Matrix& a, const Matrix& b) {
    double worst = 0;
    for (std::size_t i = 0; i < a.values.size(); ++i) worst = std::max(worst, double(std::abs(a.values[i] - b.values[i])));
    return worst;
}

}  // namespace

class TestClusterMap : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // numpy's SVD of the centred (normalised) rows is the yardstick; signs
    // follow the same rule (largest |coordinate| of each axis positive).
    void pcaMatchesNumpysSvd_data() {
        QTest::addColumn<int>("rows");
        QTest::newRow("cd-a, one block") << 0;
        QTest::newRow("70000 rows, two blocks") << 70000;  // blocks are 65536 rows
    }

    void pcaMatchesNumpysSvd() {
        QFETCH(int, rows);
        QTemporaryDir dir;
        Matrix x = rows ? distill::synthetic_clustered_embeddings(std::size_t(rows), 16, 3) : cd_a_embeddings();
        for (std::size_t i = 0; i < x.rows; ++i)
            for (auto& v : x.row(i)) v *= 0.5f + float(i % 5);  // lengths differ: unit_rows matters
        const std::string input = dir.filePath("x.npy").toStdString();
        distill::write_npy(input, x);
        const QString script = R"(
import sys, numpy as np
x = np.load(sys.argv[1]).astype(np.float64)
for unit, name in ((True, 'unit'), (False, 'raw')):
    y = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12) if unit else x
    c = y - y.mean(axis=0)
    u, s, vt = np.linalg.svd(c, full_matrices=False)
    axes = vt[:3]
    axes *= np.sign(axes[np.arange(3), np.abs(axes).argmax(axis=1)])[:, None]
    np.save(sys.argv[2] + '/' + name + '_points.npy', (c @ axes.T).astype(np.float32))
    np.save(sys.argv[2] + '/' + name + '_axes.npy', axes.astype(np.float32))
    np.save(sys.argv[2] + '/' + name + '_ratio.npy', (s[:3] ** 2 / (s ** 2).sum()).reshape(1, 3).astype(np.float32))
)";
        QVERIFY(run_python(script, {QString::fromStdString(input), dir.path()}));
        for (const bool unit : {true, false}) {
            const std::string name = dir.filePath(unit ? "unit" : "raw").toStdString();
            distill::PcaOptions o;
            o.components = 3;
            o.unit_rows = unit;
            const auto p = distill::pca_projection(x, o);
            QCOMPARE(p.device, std::string("cpu"));
            QCOMPARE(p.points.rows, x.rows);
            QCOMPARE(p.points.cols, std::size_t(3));
            const double scale = unit ? 1.0 : 5.0;
            QVERIFY2(max_abs_difference(p.points, distill::read_npy(name + "_points.npy")) < 1e-4 * scale,
                     qPrintable(QString::number(max_abs_difference(p.points, distill::read_npy(name + "_points.npy")))));
            QVERIFY(max_abs_difference(p.components, distill::read_npy(name + "_axes.npy")) < 1e-4);
            const Matrix ratio = distill::read_npy(name + "_ratio.npy");
            for (std::size_t i = 0; i < 3; ++i) QVERIFY(std::abs(p.explained_variance_ratio[i] - ratio.values[i]) < 1e-5);
            QVERIFY(p.explained_variance_ratio[0] >= p.explained_variance_ratio[1]);
        }
    }

    void pcaRejectsBadInput() {
        const auto& x = cd_a_embeddings();
        distill::PcaOptions o;
        o.components = 0;
        QVERIFY(contains(error_of([&] { distill::pca_projection(x, o); }), "use 1 to 48"));
        o.components = 49;
        QVERIFY(contains(error_of([&] { distill::pca_projection(x, o); }), "use 1 to 48"));
        QVERIFY(contains(error_of([&] { distill::pca_projection(Matrix(1, 4)); }), "at least 2 rows"));
        QVERIFY(contains(error_of([&] { distill::pca_projection(Matrix()); }), "empty"));
        Matrix nan(3, 2);
        nan.values = {1, 2, 3, NAN, 5, 6};
        QVERIFY(contains(error_of([&] { distill::pca_projection(nan); }), "row 1 (0-based) contains NaN"));
        o.components = 2;
        o.device = "tpu";
        QVERIFY(contains(error_of([&] { distill::pca_projection(x, o); }), "not one of auto, cpu, cuda"));
    }

    void tokenizerKeepsWordsOnly() {
        QCOMPARE(distill::keyword_tokens("What's the 2nd-largest CITY in France? It's Paris: 3.5 km, x = 12 Zürich's 'quoted'"),
                 (std::vector<std::string>{"what's", "2nd", "largest", "city", "france", "paris", "km", "zürich's", "quoted"}));
        QVERIFY(distill::keyword_tokens("").empty());
        QVERIFY(distill::keyword_tokens("I a 42 7.5 -- the of").empty());
    }

    void keywordsSayWhatEachClusterIsAbout() {
        const std::vector<std::string> questions{
            "How long should I bake bread in the oven?",          // 0 baking
            "What oven temperature bakes sourdough bread best?",  // 1
            "Why does my bread dough not rise before I bake it?", // 2
            "Which planet has the longest orbit around the sun?", // 3 astronomy
            "How many moons does the planet Jupiter have?",       // 4
            "Does the planet Mars orbit faster than Earth?",      // 5
            "Who won the football world cup final?",              // 6 football
            "How many players are on a football team?",           // 7
            "What is the weather like today?",                    // 8 in no cluster
        };
        const std::vector<Community> clusters{{0, 1, 2}, {3, 4, 5}, {6, 7}};
        const auto keywords = distill::class_keywords(questions, clusters, 3);
        QCOMPARE(keywords.size(), std::size_t(3));
        QCOMPARE(keywords[0][0].term, std::string("bread"));
        QCOMPARE(keywords[1][0].term, std::string("planet"));
        QCOMPARE(keywords[2][0].term, std::string("football"));
        for (const auto& list : keywords) {
            QCOMPARE(list.size(), std::size_t(3));
            for (std::size_t i = 1; i < list.size(); ++i) QVERIFY(list[i - 1].score >= list[i].score);
        }
        // By hand: the classes keep 14, 14 and 9 words and the outlier class
        // 3 ("weather", "like", "today"): A = floor(40 / 4) = 10. "bread" is
        // 3 of the 14 words of class 0 and appears 3 times in all.
        QVERIFY(std::abs(keywords[0][0].score - 3.0 / 14 * std::log(1 + 10.0 / 3)) < 1e-12);
        // "many" is in classes 1 and 2: it ranks below "football" there.
        const auto all = distill::class_keywords(questions, clusters, 100);
        const auto at = [&](std::size_t c, const std::string& term) {
            for (std::size_t i = 0; i < all[c].size(); ++i)
                if (all[c][i].term == term) return i;
            return std::size_t(999);
        };
        QVERIFY(at(2, "many") > at(2, "football"));
        QCOMPARE(at(0, "the"), std::size_t(999));  // a stop word
        QCOMPARE(distill::class_keywords(questions, {}, 5).size(), std::size_t(0));
    }

    void mapSummarisesEveryClusterAndPythonReadsIt() {
        const auto& x = cd_a_embeddings();
        distill::CommunityOptions d;
        d.threshold = 0.6;
        d.min_size = 5;
        const auto communities = distill::detect_communities(x, d).communities;
        const auto sampled = distill::sample_communities(communities, 100, 42);
        std::vector<std::string> questions;
        for (std::size_t i = 0; i < x.rows; ++i)
            questions.push_back("question " + std::to_string(i) + (i % 2 ? " apples" : " pears"));
        auto map = distill::build_cluster_map(x, communities, sampled, questions);
        QCOMPARE(map.projection.points.rows, x.rows);
        QCOMPARE(map.clusters.size(), communities.size());
        std::size_t covered = 0;
        for (std::size_t c = 0; c < communities.size(); ++c) {
            const auto& s = map.clusters[c];
            QCOMPARE(s.size, communities[c].size());
            QCOMPARE(s.members, communities[c]);
            QCOMPARE(s.sampled, sampled[c]);
            double cx = 0, norm = 0;
            for (const auto r : communities[c]) cx += map.projection.points.row(r)[0];
            QVERIFY(std::abs(cx / double(s.size) - s.centre_2d[0]) < 1e-6);
            for (const float v : s.centroid) norm += double(v) * v;
            QVERIFY(std::abs(norm - 1) < 1e-5);
            QVERIFY(!s.keywords.empty() && s.keywords.size() <= 8);
            covered += s.size;
        }
        QCOMPARE(map.outliers, x.rows - covered);

        QTemporaryDir dir;
        const std::string path = dir.filePath("map.json").toStdString();
        map.clustering = {{"method", "community"}, {"threshold", 0.6}};
        distill::write_cluster_map(path, map);
        const QString script = R"(
import json, sys
m = json.load(open(sys.argv[1]))
assert m['format'] == 'distill-cluster-map' and m['version'] == 1, m['format']
assert m['rows'] == 3000 and m['dimensions'] == 48 and len(m['projection']['points']) == 3000
assert m['clustering'] == {'method': 'community', 'threshold': 0.6}
rows = [r for c in m['clusters'] for r in c['members']]
assert len(rows) == len(set(rows)) == 3000 - m['outliers']
for c in m['clusters']:
    assert c['size'] == len(c['members']) and set(c['sampled']) <= set(c['members'])
    assert len(c['centroid']) == 48 and len(c['centre_2d']) == 2 and c['keywords'][0]['term'] in ('apples', 'pears', 'question')
)";
        QVERIFY(run_python(script, {QString::fromStdString(path)}));

        // What the GUI gets back: the same map, coordinates to 1e-6.
        const auto back = distill::read_cluster_map(path);
        QCOMPARE(back.clustering, map.clustering);
        QCOMPARE(back.outliers, map.outliers);
        QCOMPARE(back.projection.points.rows, x.rows);
        QVERIFY(max_abs_difference(back.projection.points, map.projection.points) < 1e-6);
        QCOMPARE(back.clusters.size(), map.clusters.size());
        for (std::size_t c = 0; c < map.clusters.size(); ++c) {
            const auto &a = back.clusters[c], &b = map.clusters[c];
            QCOMPARE(a.members, b.members);
            QCOMPARE(a.sampled, b.sampled);
            QCOMPARE(a.keywords.size(), b.keywords.size());
            QCOMPARE(a.keywords[0].term, b.keywords[0].term);
            QVERIFY(std::abs(a.centre_2d[1] - b.centre_2d[1]) < 1e-6);
            QVERIFY(std::abs(a.centroid[7] - b.centroid[7]) < 1e-6);
        }
    }

    void readingAMapRejectsOtherFiles() {
        QTemporaryDir dir;
        const auto write = [&](const char* name, const std::string& text) {
            const std::string path = dir.filePath(name).toStdString();
            std::ofstream(path) << text;
            return path;
        };
        QVERIFY(contains(error_of([&] { distill::read_cluster_map(write("a.json", "[1, 2")); }), "not valid JSON"));
        QVERIFY(contains(error_of([&] { distill::read_cluster_map(write("b.json", "[[1, 2]]")); }),
                         "b.json: is not a distill cluster map"));
        QVERIFY(contains(error_of([&] {
                             distill::read_cluster_map(write("c.json", R"({"format": "distill-cluster-map", "version": 2})"));
                         }),
                         "newer version"));
        const std::string two_points =
            R"({"format": "distill-cluster-map", "version": 1, "rows": 2, "dimensions": 2, "clustering": {},
                "projection": {"method": "pca", "device": "cpu", "explained_variance_ratio": [0.5, 0.5],
                               "points": [[0, 1], [1, 0]]},
                "outliers": 0, "clusters": [{"size": 2, "centre_2d": [0.5, 0.5], "centroid": [1, 0],
                                             "keywords": [], "members": [0, 1], "sampled": []}]})";
        QCOMPARE(distill::read_cluster_map(write("d.json", two_points)).clusters[0].members, (Community{0, 1}));
        std::string wrong = two_points;
        wrong.replace(wrong.find("[0, 1], \"sampled\""), 6, "[0, 2]");
        QVERIFY(contains(error_of([&] { distill::read_cluster_map(write("e.json", wrong)); }), "names row 2"));
        QVERIFY(contains(error_of([&] { distill::read_cluster_map(dir.filePath("none.json").toStdString()); }),
                         "cannot open"));
    }

    void mapRejectsInconsistentInput() {
        const auto& x = cd_a_embeddings();
        QVERIFY(contains(error_of([&] { distill::build_cluster_map(x, {{1, 2}, {3000}}, {}, {}); }),
                         "names row 3000"));
        QVERIFY(contains(error_of([&] { distill::build_cluster_map(x, {{1, 2}, {2, 3}}, {}, {}); }),
                         "row 2 is in two clusters"));
        QVERIFY(contains(error_of([&] { distill::build_cluster_map(x, {{1, 2}}, {{1}, {2}}, {}); }),
                         "2 lists for 1 clusters"));
        QVERIFY(contains(error_of([&] { distill::build_cluster_map(x, {{1, 2}}, {}, {"one", "two"}); }),
                         "2 questions for 3000 embedding rows"));
        QVERIFY(contains(error_of([&] { distill::build_cluster_map(x, {{}}, {}, {}); }), "cluster 0 is empty"));
        // No clusters at all is a map of outliers.
        QCOMPARE(distill::build_cluster_map(x, {}, {}, {}).outliers, x.rows);
    }
};

QTEST_GUILESS_MAIN(TestClusterMap)
#include "test_cluster_map.moc"
