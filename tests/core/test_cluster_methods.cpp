// The threshold sweep, k-means and the clusterer choice (SPEC §3), and the
// search benchmark, on the reference fixture shared/fixtures/cd-a.
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <set>

#include "distill/cluster.h"
#include "distill/cluster_methods.h"
#include "distill/error.h"
#include "distill/npy.h"
#include "support/test_support.h"

using namespace distill::test;

namespace {

using distill::Community;
using distill::Matrix;

// Every row in exactly one cluster, sizes descending, members by descending
// cosine to their centroid.
QString kmeans_shape_problem(const Matrix& x, const distill::KMeansResult& r) {
    if (r.centroids.rows != r.clusters.size() || r.centroids.cols != x.cols) return "one centroid per cluster";
    std::vector<int> seen(x.rows, 0);
    for (std::size_t c = 0; c < r.clusters.size(); ++c) {
        const auto& members = r.clusters[c];
        if (members.empty()) return QString("cluster %1 is empty").arg(c);
        if (c && members.size() > r.clusters[c - 1].size()) return QString("cluster %1 is larger than the one before").arg(c);
        for (std::size_t i = 0; i < members.size(); ++i) {
            ++seen[members[i]];
            if (i && cosine(x.row(members[i]), r.centroids.row(c)) > cosine(x.row(members[i - 1]), r.centroids.row(c)) + 1e-6)
                return QString("cluster %1 member %2 is out of order").arg(c).arg(i);
        }
    }
    for (std::size_t i = 0; i < x.rows; ++i)
        if (seen[i] != 1) return QString("row %1 is in %2 clusters").arg(i).arg(seen[i]);
    return {};
}

}  // namespace

class TestClusterMethods : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void thresholdStepsAreClean() {
        const auto steps = distill::threshold_steps(0.5, 0.95, 0.05);
        QCOMPARE(steps, (std::vector<double>{0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95}));
        QCOMPARE(distill::threshold_steps(0.7, 0.7, 0.1), std::vector<double>{0.7});
        QVERIFY(contains(error_of([] { distill::threshold_steps(0.9, 0.5, 0.05); }), "FIRST <= LAST"));
        QVERIFY(contains(error_of([] { distill::threshold_steps(0.5, 0.9, 0); }), "STEP > 0"));
    }

    // The sweep's single pass must give what detect_communities gives at
    // each threshold, with the lists kept and with the fallback.
    void sweepEqualsDetectionAtEveryThreshold_data() {
        QTest::addColumn<int>("minSize");
        QTest::addColumn<qlonglong>("budget");
        QTest::newRow("min 3") << 3 << (qlonglong(1) << 30);
        QTest::newRow("min 10") << 10 << (qlonglong(1) << 30);
        QTest::newRow("min 25, lists over budget") << 25 << qlonglong(4096);
    }

    void sweepEqualsDetectionAtEveryThreshold() {
        QFETCH(int, minSize);
        QFETCH(qlonglong, budget);
        distill::SweepOptions o;
        o.thresholds = distill::threshold_steps(0.5, 0.95, 0.05);
        std::reverse(o.thresholds.begin(), o.thresholds.end());  // any order
        o.min_size = static_cast<std::size_t>(minSize);
        o.member_budget_bytes = static_cast<std::size_t>(budget);
        const auto sweep = distill::sweep_thresholds(cd_a_embeddings(), o);
        QCOMPARE(sweep.one_pass, budget > 4096);
        QCOMPARE(sweep.rows.size(), o.thresholds.size());
        QCOMPARE(sweep.device, std::string("cpu"));
        std::size_t communities = 0;
        for (std::size_t i = 0; i < o.thresholds.size(); ++i) {
            distill::CommunityOptions d;
            d.threshold = o.thresholds[i];
            d.min_size = o.min_size;
            const auto want = distill::detect_communities(cd_a_embeddings(), d);
            std::size_t covered = 0;
            for (const auto& c : want.communities) covered += c.size();
            const auto& got = sweep.rows[i];
            QCOMPARE(got.threshold, o.thresholds[i]);
            QCOMPARE(got.communities, want.communities.size());
            QCOMPARE(got.covered, covered);
            QCOMPARE(got.seeds, want.seeds);
            communities += got.communities;
        }
        QVERIFY(communities > 10);  // the comparison saw real communities
        if (sweep.one_pass) QVERIFY(sweep.kept_neighbours > 0);
    }

    void sweepRejectsBadSettingsAndCancels() {
        const auto& x = cd_a_embeddings();
        distill::SweepOptions o;
        QVERIFY(contains(error_of([&] { distill::sweep_thresholds(x, o); }), "at least one threshold"));
        o.thresholds = {0.6, 1.5};
        QVERIFY(contains(error_of([&] { distill::sweep_thresholds(x, o); }), "[-1, 1]"));
        o.thresholds = {0.6};
        o.min_size = 0;
        QVERIFY(contains(error_of([&] { distill::sweep_thresholds(x, o); }), "use 1 or more"));
        QVERIFY(contains(error_of([&] { distill::sweep_thresholds(Matrix(0, 4), o); }), "empty"));
        o.min_size = 5;
        o.compute.tile = 100;
        CancelAfter sink(3);
        QVERIFY_THROWS_EXCEPTION(distill::Cancelled, distill::sweep_thresholds(x, o, &sink));
    }

    void kmeansHasTheShapeOfCommunitiesAndIsDeterministic() {
        const auto& x = cd_a_embeddings();
        distill::KMeansOptions o;
        o.k = 40;
        const auto a = distill::kmeans_clusters(x, o);
        QCOMPARE(a.clusters.size(), std::size_t(40));
        const QString problem = kmeans_shape_problem(x, a);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        for (std::size_t c = 0; c < a.centroids.rows; ++c) {
            double norm = 0;
            for (const float v : a.centroids.row(c)) norm += double(v) * v;
            QVERIFY(std::abs(norm - 1) < 1e-4);  // spherical
        }
        const auto again = distill::kmeans_clusters(x, o);
        QCOMPARE(again.clusters, a.clusters);
        QCOMPARE(again.centroids.values, a.centroids.values);
        o.seed = 7;
        QVERIFY(distill::kmeans_clusters(x, o).clusters != a.clusters);

        // Every row is assigned to its nearest final centroid (ties aside),
        // and 40 clusters fit the fixture's clusters far better than one.
        const auto mean_cosine = [&](const distill::KMeansResult& r) {
            double sum = 0;
            for (std::size_t c = 0; c < r.clusters.size(); ++c)
                for (const auto row : r.clusters[c]) {
                    const double own = cosine(x.row(row), r.centroids.row(c));
                    for (std::size_t other = 0; other < r.centroids.rows; ++other)
                        if (cosine(x.row(row), r.centroids.row(other)) > own + 1e-5) return -1.0;
                    sum += own;
                }
            return sum / double(x.rows);
        };
        const double fit = mean_cosine(a);
        o.k = 1;
        const double one = mean_cosine(distill::kmeans_clusters(x, o));
        QVERIFY2(fit > 0 && fit > one + 0.3, qPrintable(QString("%1 vs %2").arg(fit).arg(one)));
    }

    void euclideanKMeansAndTrainingOnEveryRow() {
        Matrix x = cd_a_embeddings();
        for (std::size_t i = 0; i < x.rows; ++i)
            for (auto& v : x.row(i)) v *= 1.0f + float(i % 7);  // lengths now matter
        distill::KMeansOptions o;
        o.k = 12;
        o.spherical = false;
        o.max_training_rows_per_cluster = 0;
        const auto r = distill::kmeans_clusters(x, o);
        QVERIFY(!r.clusters.empty() && r.clusters.size() <= 12);
        const QString problem = kmeans_shape_problem(x, r);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    void kmeansRejectsBadInputAndCancels() {
        const auto& x = cd_a_embeddings();
        distill::KMeansOptions o;
        o.k = 3001;
        QVERIFY(contains(error_of([&] { distill::kmeans_clusters(x, o); }), "use k <= 3000"));
        o.k = 0;
        QVERIFY(contains(error_of([&] { distill::kmeans_clusters(x, o); }), "k 0"));
        o.k = 2;
        o.iterations = 0;
        QVERIFY(contains(error_of([&] { distill::kmeans_clusters(x, o); }), "at least 1 iteration"));
        o.iterations = 10;
        QVERIFY(contains(error_of([&] { distill::kmeans_clusters(Matrix(), o); }), "empty"));
        Matrix nan(5, 3);
        std::fill(nan.values.begin(), nan.values.end(), 1.0f);
        nan.row(4)[0] = std::nanf("");
        QVERIFY(contains(error_of([&] { distill::kmeans_clusters(nan, o); }), "row 4 (0-based) contains NaN"));
        // k == rows: each row its own cluster.
        nan.row(4)[0] = 2;
        o.k = 5;
        nan.row(1)[1] = 3, nan.row(2)[2] = 3, nan.row(3)[0] = -1;
        QCOMPARE(distill::kmeans_clusters(nan, o).clusters.size(), std::size_t(5));
        o.k = 50;
        CancelAfter sink(1);
        QVERIFY_THROWS_EXCEPTION(distill::Cancelled, distill::kmeans_clusters(x, o, &sink));
    }

    void clustererIsChosenByName() {
        QCOMPARE(distill::cluster_method_from_string("kmeans"), distill::ClusterMethod::KMeans);
        QCOMPARE(distill::cluster_method_from_string("community"), distill::ClusterMethod::Community);
        QCOMPARE(distill::to_string(distill::ClusterMethod::KMeans), std::string("kmeans"));
        QCOMPARE(distill::to_string(distill::ClusterMethod::Community), std::string("community"));
        QVERIFY(contains(error_of([] { distill::cluster_method_from_string("dbscan"); }), "not one of community, kmeans"));

        const auto& x = cd_a_embeddings();
        distill::ClusterOptions o;
        o.community.threshold = 0.6;
        o.community.min_size = 5;
        QCOMPARE(distill::cluster_rows(x, o).clusters, distill::detect_communities(x, o.community).communities);
        o.method = distill::ClusterMethod::KMeans;
        o.kmeans.k = 8;
        const auto chosen = distill::cluster_rows(x, o);
        QCOMPARE(chosen.clusters, distill::kmeans_clusters(x, o.kmeans).clusters);
        QCOMPARE(chosen.device, std::string("cpu"));
    }

    void searchBenchmarkRuns() {
        distill::SearchBenchOptions o;
        o.corpus_rows = 4000;
        o.queries = 300;
        o.dim = 32;
        const auto r = distill::bench_search(o);
        QVERIFY(r.seconds > 0);
        QCOMPARE(r.device, std::string("cpu"));
        QVERIFY(r.summary().find("top-5 of 4000 x 32 corpus rows for 300 queries") != std::string::npos);
        o.queries = 5000;
        QVERIFY(contains(error_of([&] { distill::bench_search(o); }), "at most 4000 queries"));
    }
};

QTEST_GUILESS_MAIN(TestClusterMethods)
#include "test_cluster_methods.moc"
