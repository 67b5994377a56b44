// Community detection (exact and approximate), search and sampling (SPEC
// §3, §4) against the reference's own outputs on shared/fixtures/cd-a
// (copied to tests/data/cd-a).
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "distill/cluster.h"
#include "distill/cluster_methods.h"
#include "distill/compute_info.h"
#include "distill/error.h"
#include "distill/npy.h"
#include "support/test_support.h"

using namespace distill::test;

namespace {

using distill::Community;
using distill::Matrix;

const std::string kCdA = DISTILL_TEST_DATA "/cd-a/";

// Empty when `ours` equals `expected` community by community (same order,
// same members as sets); a member may differ only when its cosine to the
// community's seed is within 1e-6 of the threshold: there float32 rounding
// decides, and the SPEC sets ties aside. Also checks that both list members
// by descending cosine to the seed (ties within 1e-6 in any order).
QString difference(const Matrix& x, const std::vector<Community>& expected, const distill::CommunityResult& result,
                   double threshold) {
    const auto& ours = result.communities;
    if (expected.size() != ours.size())
        return QString("%1 communities, expected %2").arg(ours.size()).arg(expected.size());
    if (result.centres.size() != ours.size()) return "not one centre per community";
    for (std::size_t k = 0; k < expected.size(); ++k) {
        const std::set<distill::RowId> want(expected[k].begin(), expected[k].end()),
            got(ours[k].begin(), ours[k].end());
        if (got.size() != ours[k].size()) return QString("community %1 lists a row twice").arg(k);
        std::vector<distill::RowId> differ;
        std::set_symmetric_difference(want.begin(), want.end(), got.begin(), got.end(), std::back_inserter(differ));
        for (const auto row : differ) {
            const double c = cosine(x.row(result.centres[k]), x.row(row));
            if (std::abs(c - threshold) > 1e-6)
                return QString("community %1 (seed %2): row %3 with cosine %4 is %5")
                    .arg(k).arg(result.centres[k]).arg(row).arg(c, 0, 'g', 9)
                    .arg(want.count(row) ? "missing" : "extra");
        }
        for (const auto* list : {&expected[k], &ours[k]})
            for (std::size_t i = 1; i < list->size(); ++i)
                if (cosine(x.row(result.centres[k]), x.row((*list)[i])) >
                    cosine(x.row(result.centres[k]), x.row((*list)[i - 1])) + 1e-6)
                    return QString("community %1: %2 member %3 is out of descending cosine order")
                        .arg(k).arg(list == &ours[k] ? "our" : "the reference's").arg(i);
    }
    return {};
}

std::vector<Community> reference_communities(const nlohmann::json& setting) {
    std::vector<Community> out;
    for (const auto& c : setting.at("communities")) out.push_back(c.get<Community>());
    return out;
}

Matrix rows_of(const Matrix& x, const std::vector<std::size_t>& rows) {
    Matrix m(rows.size(), x.cols);
    for (std::size_t i = 0; i < rows.size(); ++i) std::copy(x.row(rows[i]).begin(), x.row(rows[i]).end(), m.row(i).begin());
    return m;
}

// Same hits up to ties: the same score at every rank (1e-5), distinct ids,
// and each id really has that score (the contract-check's rule).
QString search_difference(const Matrix& corpus, const Matrix& queries, const std::vector<double>& want_scores,
                          const std::vector<distill::SearchHit>& got, std::size_t q) {
    if (got.size() != want_scores.size())
        return QString("query %1: %2 hits, expected %3").arg(q).arg(got.size()).arg(want_scores.size());
    std::set<distill::RowId> ids;
    for (std::size_t h = 0; h < got.size(); ++h) {
        if (!ids.insert(got[h].corpus_id).second) return QString("query %1: row %2 twice").arg(q).arg(got[h].corpus_id);
        const double dot = cosine(queries.row(q), corpus.row(got[h].corpus_id));
        if (std::abs(got[h].score - want_scores[h]) > 1e-5 || std::abs(dot - want_scores[h]) > 1e-5)
            return QString("query %1 rank %2: row %3 scored %4 (true %5), expected %6")
                .arg(q).arg(h).arg(got[h].corpus_id).arg(got[h].score).arg(dot).arg(want_scores[h]);
    }
    return {};
}

// tests/support/reference_communities.py's own clustered data (other sizes
// and lengths than cd-a's, duplicates, singletons) and what
// sentence-transformers' community_detection and semantic_search, re-typed
// there in torch, make of it; generated once per test process.
struct IndependentReference {
    Matrix embeddings;
    nlohmann::json communities, search;
};
const IndependentReference& independent_reference() {
    static const IndependentReference reference = [] {
        IndependentReference r;
        QTemporaryDir dir;
        if (!dir.isValid() ||
            !run_python_script(DISTILL_SOURCE_DIR "/tests/support/reference_communities.py", {dir.path(), "7"}, 120000))
            return r;
        const std::string out = dir.path().toStdString() + "/";
        r.embeddings = distill::read_npy(out + "embeddings.npy");
        r.communities = read_json<nlohmann::json>(out + "communities.json");
        r.search = read_json<nlohmann::json>(out + "semantic_search.json");
        return r;
    }();
    return reference;
}

}  // namespace

class TestCluster : public QObject {
    Q_OBJECT
    int poolAtStart_ = 0;  // libtorch's pool before any test clustered

private Q_SLOTS:
    void initTestCase() { poolAtStart_ = distill::compute_info().torch_threads; }

    // The CPU quota the thread counts respect: cgroup v2 files as the kernel
    // writes them, the tightest limit on the cgroup or any ancestor.
    // The quota is found where mountinfo says each hierarchy is mounted, as
    // the kernel writes these files: v2 on a host or in a pod, v1 (a Docker
    // host of the cgroup v1 era) with the container's cgroup as the mount's root.
    void cgroupQuotaCapsTheThreads() {
        QTemporaryDir dir;
        const std::filesystem::path root = dir.path().toStdString();
        const auto write = [](const std::filesystem::path& file, const std::string& text) {
            std::filesystem::create_directories(file.parent_path());
            std::ofstream(file) << text;
        };
        const std::string self = (root / "self").string(), v2 = (root / "cg2").string(), v1 = (root / "cg 1").string();
        write(root / "self/cgroup", "0::/kubepods.slice/pod1/container1\n");
        write(root / "self/mountinfo", "24 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n"
                                       "31 24 0:26 / " + v2 + " rw,nosuid shared:9 - cgroup2 cgroup2 rw,nsdelegate\n");
        QCOMPARE(distill::cgroup_cpu_quota(self), 0u);  // no cpu.max anywhere
        write(v2 + "/kubepods.slice/pod1/container1/cpu.max", "max 100000\n");
        QCOMPARE(distill::cgroup_cpu_quota(self), 0u);  // unlimited
        write(v2 + "/kubepods.slice/pod1/cpu.max", "250000 100000\n");
        QCOMPARE(distill::cgroup_cpu_quota(self), 3u);  // 2.5 CPUs, rounded up, on the parent
        write(v2 + "/kubepods.slice/pod1/container1/cpu.max", "100000 100000\n");
        QCOMPARE(distill::cgroup_cpu_quota(self), 1u);  // the tighter one wins
        write(v2 + "/cpu.max", "50000 100000\n");
        QCOMPARE(distill::cgroup_cpu_quota(self), 1u);  // half a CPU is still one thread

        // v1, mounted with the controllers joined and a space in the path
        // (escaped in mountinfo); the container's cgroup is the mount's root.
        write(root / "self/cgroup", "12:cpu,cpuacct:/docker/abc\n4:memory:/docker/abc\n0::/\n");
        const std::string v1_escaped = root.string() + "/cg\\0401";
        write(root / "self/mountinfo", "24 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
                                       "35 24 0:30 /docker/abc " + v1_escaped +
                                           " rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n"
                                           "36 24 0:31 /docker/abc /memory rw - cgroup cgroup rw,memory\n");
        QCOMPARE(distill::cgroup_cpu_quota(self), 0u);  // no files
        write(v1 + "/cpu.cfs_quota_us", "-1\n");
        write(v1 + "/cpu.cfs_period_us", "100000\n");
        QCOMPARE(distill::cgroup_cpu_quota(self), 0u);  // unlimited
        write(v1 + "/cpu.cfs_quota_us", "400000\n");
        QCOMPARE(distill::cgroup_cpu_quota(self), 4u);  // docker run --cpus 4
        QVERIFY(distill::usable_cpu_count() >= 1);
    }

    void reproducesReferenceCommunities_data() {
        QTest::addColumn<QString>("key");
        for (const auto& [key, setting] : read_json<nlohmann::json>(kCdA + "communities.json").items())
            QTest::newRow(key.c_str()) << QString::fromStdString(key);
    }

    void reproducesReferenceCommunities() {
        QFETCH(QString, key);
        const auto setting = read_json<nlohmann::json>(kCdA + "communities.json").at(key.toStdString());
        distill::CommunityOptions o;
        o.threshold = setting.at("threshold");
        o.min_size = setting.at("min_community_size");
        const auto result = distill::detect_communities(cd_a_embeddings(), o);
        const auto expected = reference_communities(setting);
        QVERIFY2(!expected.empty(), "the fixture has communities");
        const QString diff = difference(cd_a_embeddings(), expected, result, o.threshold);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
        QCOMPARE(result.device, std::string("cpu"));
        QCOMPARE(result.recomputed_seeds, std::size_t(0));
    }

    // Unseen data, not the fixture's: the reference's communities on rows
    // of any length, clusters from 2 to 500 rows (past the reference's first
    // top-k of 50), exact and near duplicates, min sizes 1 to 60, on each scan.
    void reproducesAnIndependentReference_data() {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("scan");
        const auto& reference = independent_reference();
        QVERIFY2(reference.embeddings.rows > 1000, "reference_communities.py ran");
        for (const auto& [key, setting] : reference.communities.items())
            for (const char* scan : {"fused", "bf16", "tensor"})
                QTest::newRow(qPrintable(QString("%1 %2").arg(key.c_str(), scan))) << QString::fromStdString(key)
                                                                                   << QString(scan);
    }

    void reproducesAnIndependentReference() {
        QFETCH(QString, key);
        QFETCH(QString, scan);
        const auto& reference = independent_reference();
        const auto& setting = reference.communities.at(key.toStdString());
        distill::CommunityOptions o;
        o.threshold = setting.at("threshold");
        o.min_size = setting.at("min_community_size");
        o.compute.scan = scan.toStdString();
        o.compute.tile = 333;  // ragged edge tiles
        const auto result = distill::detect_communities(reference.embeddings, o);
        const QString diff = difference(reference.embeddings, reference_communities(setting), result, o.threshold);
        QVERIFY2(diff.isEmpty(), qPrintable(diff));
    }

    void searchMatchesAnIndependentReference() {
        const auto& reference = independent_reference();
        QVERIFY2(reference.embeddings.rows > 1000, "reference_communities.py ran");
        const auto ids = reference.search.at("query_ids").get<std::vector<std::size_t>>();
        const Matrix queries = rows_of(reference.embeddings, ids);
        for (const char* scan : {"fused", "bf16", "tensor"}) {
            distill::SearchOptions o;
            o.top_k = reference.search.at("top_k");
            o.compute.scan = scan;
            o.compute.tile = 333;
            const auto hits = distill::semantic_search(reference.embeddings, queries, o);
            QCOMPARE(hits.size(), ids.size());
            for (std::size_t q = 0; q < ids.size(); ++q) {
                std::vector<double> want;
                for (const auto& h : reference.search.at("hits")[q]) want.push_back(h.at("score"));
                const QString diff = search_difference(reference.embeddings, queries, want, hits[q], q);
                QVERIFY2(diff.isEmpty(), qPrintable(QString(scan) + ": " + diff));
            }
        }
    }

    // The CUDA path's tensor scan (run on the CPU), odd tile sizes that
    // leave ragged edge tiles, and member budgets too small for the pass
    // (seeds recomputed batch by batch) must all give the reference's answer.
    void everyEngineConfigurationAgrees_data() {
        QTest::addColumn<QString>("scan");
        QTest::addColumn<int>("tile");
        QTest::addColumn<qlonglong>("budget");
        const qlonglong gib = qlonglong(1) << 30;
        QTest::newRow("tensor scan") << QString("tensor") << 0 << gib;
        QTest::newRow("tile 333") << QString("fused") << 333 << gib;
        QTest::newRow("tile 37") << QString("fused") << 37 << gib;
        QTest::newRow("no budget") << QString("fused") << 0 << qlonglong(0);
        QTest::newRow("budget 2000 B") << QString("fused") << 500 << qlonglong(2000);
        QTest::newRow("tensor, tile 700, budget 100 kB") << QString("tensor") << 700 << qlonglong(100000);
        QTest::newRow("bf16 scan") << QString("bf16") << 0 << gib;
        QTest::newRow("bf16, tile 333") << QString("bf16") << 333 << gib;
        QTest::newRow("bf16, no budget") << QString("bf16") << 0 << qlonglong(0);
        QTest::newRow("bf16, tile 500, budget 2000 B") << QString("bf16") << 500 << qlonglong(2000);
    }

    void everyEngineConfigurationAgrees() {
        QFETCH(QString, scan);
        QFETCH(int, tile);
        QFETCH(qlonglong, budget);
        const auto all = read_json<nlohmann::json>(kCdA + "communities.json");
        for (const auto& [key, setting] : all.items()) {
            distill::CommunityOptions o;
            o.threshold = setting.at("threshold");
            o.min_size = setting.at("min_community_size");
            o.compute.scan = scan.toStdString();
            o.compute.tile = static_cast<std::size_t>(tile);
            o.member_budget_bytes = static_cast<std::size_t>(budget);
            const auto result = distill::detect_communities(cd_a_embeddings(), o);
            const QString diff =
                difference(cd_a_embeddings(), reference_communities(setting), result, o.threshold);
            QVERIFY2(diff.isEmpty(), qPrintable(QString::fromStdString(key) + ": " + diff));
            if (budget < 100000) QVERIFY(result.recomputed_seeds > 0);
        }
    }

    // The tensor scan (CUDA's) filters each tile in fp16, the bf16 scan in
    // bf16, and both rescore the pairs they keep in fp32: pairs just above
    // the threshold, which the low precision can put below it, must all be
    // found, as the exact scan finds them.
    void filteredScansKeepPairsJustAboveTheThreshold_data() {
        QTest::addColumn<QString>("scan");
        QTest::newRow("tensor") << QString("tensor");
        QTest::newRow("bf16") << QString("bf16");
    }

    void filteredScansKeepPairsJustAboveTheThreshold() {
        QFETCH(QString, scan);
        constexpr std::size_t pairs = 500, d = 768;
        // 0.6018, just above 154 / 256, a value of both bf16 and fp16: bf16
        // rounds every score in [t, t + 1e-4) down to it, below t, and fp16
        // about half of them.
        constexpr double t = 154.0 / 256 + 2e-4;
        std::mt19937 rng(7);
        std::normal_distribution<double> normal;
        std::uniform_real_distribution<double> above(1e-6, 1e-4);
        const auto unit = [](std::vector<double>& v) {
            double norm = 0;
            for (double e : v) norm += e * e;
            for (double& e : v) e /= std::sqrt(norm);
        };
        Matrix x(2 * pairs, d);
        for (std::size_t p = 0; p < pairs; ++p) {
            // b = c a + sqrt(1 - c^2) u, with u a unit orthogonal to a: cos(a, b) = c.
            std::vector<double> a(d), u(d);
            for (double& e : a) e = normal(rng);
            for (double& e : u) e = normal(rng);
            unit(a);
            double along = 0;
            for (std::size_t i = 0; i < d; ++i) along += a[i] * u[i];
            for (std::size_t i = 0; i < d; ++i) u[i] -= along * a[i];
            unit(u);
            const double c = t + above(rng);
            for (std::size_t i = 0; i < d; ++i) {
                x.values[2 * p * d + i] = static_cast<float>(a[i]);
                x.values[(2 * p + 1) * d + i] = static_cast<float>(c * a[i] + std::sqrt(1 - c * c) * u[i]);
            }
        }
        distill::CommunityOptions o;
        o.threshold = t;
        o.min_size = 2;
        o.compute.scan = "fused";
        const auto exact = distill::detect_communities(x, o);
        QCOMPARE(exact.communities.size(), pairs);
        o.compute.scan = scan.toStdString();
        QCOMPARE(distill::detect_communities(x, o).communities, exact.communities);
    }

    // The scans, and faiss's loops, run on a pool of one thread per usable
    // CPU; CPU embedding runs slower on that pool, so it must get its own
    // size back after.
    void cpuPoolIsRaisedOnlyWhileClustering() {
        if (qEnvironmentVariableIsSet("OMP_NUM_THREADS")) QSKIP("OMP_NUM_THREADS fixes the pool's size");
        const int usable = static_cast<int>(distill::usable_cpu_count());
        if (poolAtStart_ == usable) QSKIP("libtorch's pool already has a thread per usable CPU here");
        struct PoolWatch : distill::ProgressSink {
            int during = 0;  // the largest pool any progress update saw
            void update(std::string_view, std::uint64_t, std::uint64_t) override {
                during = std::max(during, distill::compute_info().torch_threads);
            }
            bool cancel_requested() const override { return false; }
        } watch;
        // Earlier tests clustered: each gave the pool back.
        QCOMPARE(distill::compute_info().torch_threads, poolAtStart_);
        distill::detect_communities(cd_a_embeddings(), distill::CommunityOptions{}, &watch);
        QCOMPARE(watch.during, usable);
        QCOMPARE(distill::compute_info().torch_threads, poolAtStart_);

        distill::SearchOptions search;
        search.top_k = 2;
        watch.during = 0;
        distill::semantic_search(cd_a_embeddings(), cd_a_embeddings(), search, &watch);
        QCOMPARE(watch.during, usable);
        QCOMPARE(distill::compute_info().torch_threads, poolAtStart_);

        distill::KMeansOptions kmeans;
        kmeans.k = 3;
        watch.during = 0;
        distill::kmeans_clusters(cd_a_embeddings(), kmeans, &watch);
        QCOMPARE(watch.during, usable);
        QCOMPARE(distill::compute_info().torch_threads, poolAtStart_);
    }

    void minimumSizeIsCappedAtTheRowCount() {
        // The reference uses min(min_community_size, len(embeddings)).
        Matrix x(3, 2);
        x.values = {1, 0, 1, 0, 2, 0};
        distill::CommunityOptions o;
        o.min_size = 10;
        const auto result = distill::detect_communities(x, o);
        QCOMPARE(result.communities.size(), std::size_t(1));
        QCOMPARE(result.communities[0], (Community{0, 1, 2}));
    }

    void cancels() {
        distill::CommunityOptions o;
        o.compute.tile = 100;
        CancelAfter sink(3);
        QVERIFY_THROWS_EXCEPTION(distill::Cancelled, distill::detect_communities(cd_a_embeddings(), o, &sink));
    }

    // The correctness anchor of the approximate mode: probing every
    // inverted list is an exhaustive search, so it must give the exact
    // result, with a recall of 1, on the reference's settings and on
    // synthetic clustered data, also when no member list fits the budget.
    void approximateProbingEveryListIsExact_data() {
        QTest::addColumn<QString>("data");
        QTest::addColumn<qlonglong>("budget");
        QTest::newRow("cd-a") << QString("cd-a") << (qlonglong(1) << 30);
        QTest::newRow("cd-a, no member budget") << QString("cd-a") << qlonglong(0);
        QTest::newRow("synthetic") << QString("synthetic") << (qlonglong(1) << 30);
    }

    void approximateProbingEveryListIsExact() {
        QFETCH(QString, data);
        QFETCH(qlonglong, budget);
        std::vector<std::pair<double, std::size_t>> settings;
        if (budget == 0) {
            settings = {{0.6, 5}};  // each recomputed seed is one more search: one setting is enough
        } else if (data == "cd-a") {
            const auto reference = read_json<nlohmann::json>(kCdA + "communities.json");
            for (const auto& [key, setting] : reference.items())
                settings.emplace_back(setting.at("threshold"), setting.at("min_community_size"));
        } else {
            settings = {{0.75, 10}, {0.6, 3}};
        }
        const Matrix x = data == "cd-a" ? cd_a_embeddings() : distill::synthetic_clustered_embeddings(4000, 32, 7);
        for (const auto& [threshold, min_size] : settings) {
            distill::CommunityOptions o;
            o.threshold = threshold;
            o.min_size = min_size;
            const auto exact = distill::detect_communities(x, o);
            o.approximate.enabled = true;
            o.approximate.nlist = 50;
            o.approximate.nprobe = 50;
            o.member_budget_bytes = static_cast<std::size_t>(budget);
            const auto approximate = distill::detect_communities(x, o);
            const QString setting = QString("%1 at %2, min size %3: ").arg(data).arg(threshold).arg(min_size);
            QVERIFY2(!exact.communities.empty(), qPrintable(setting + "no communities to compare"));
            const QString diff = difference(x, exact.communities, approximate, threshold);
            QVERIFY2(diff.isEmpty(), qPrintable(setting + diff));
            QCOMPARE(approximate.seeds, exact.seeds);
            QCOMPARE(approximate.device, std::string("cpu"));
            // No budget: the pass only counts, and every seed's members
            // are searched again when its turn comes.
            if (budget == 0) QCOMPARE(approximate.recomputed_seeds, approximate.seeds);
            QVERIFY(approximate.approximation.has_value());
            const auto& report = *approximate.approximation;
            QCOMPARE(report.nlist, std::size_t(50));
            QCOMPARE(report.nprobe, std::size_t(50));
            QCOMPARE(report.sampled.size(), std::size_t(1000));
            QVERIFY(report.exact_neighbours > 0);
            QCOMPARE(report.found_neighbours, report.exact_neighbours);
            QCOMPARE(report.seed_status_differs, std::size_t(0));
            QCOMPARE(report.recall(), 1.0);
        }
        QVERIFY(!distill::detect_communities(x, {}).approximation.has_value());
    }

    // With few lists probed the search misses neighbours, and says how many:
    // the report's exact counts are the test's own brute-force counts over
    // the sampled rows, its recall is found / exact, below 1, and it grows
    // with nprobe. Whatever it misses, every community it returns is sound.
    void approximateRecallIsMeasuredAgainstExactNeighbours() {
        const Matrix x = distill::synthetic_clustered_embeddings(4000, 32, 7);
        distill::CommunityOptions o;
        o.threshold = 0.6;
        o.min_size = 3;
        o.approximate.enabled = true;
        o.approximate.nlist = 64;
        std::vector<double> recalls;
        for (const std::size_t nprobe : {1, 4, 64}) {
            o.approximate.nprobe = nprobe;
            const auto result = distill::detect_communities(x, o);
            const auto& report = *result.approximation;
            QCOMPARE(report.sampled.size(), std::size_t(1000));
            QVERIFY(std::is_sorted(report.sampled.begin(), report.sampled.end()));
            QVERIFY(std::adjacent_find(report.sampled.begin(), report.sampled.end()) == report.sampled.end());
            QVERIFY(report.sampled.back() < x.rows);
            // Other rows at >= the threshold, by double-precision cosine;
            // pairs within 1e-6 of it may fall either way in float32.
            std::size_t sure = 0, borderline = 0;
            for (const auto row : report.sampled)
                for (std::size_t other = 0; other < x.rows; ++other) {
                    if (other == row) continue;
                    const double c = cosine(x.row(row), x.row(other));
                    if (std::abs(c - o.threshold) <= 1e-6) ++borderline;
                    else if (c > o.threshold) ++sure;
                }
            QVERIFY2(report.exact_neighbours >= sure && report.exact_neighbours <= sure + borderline,
                     qPrintable(QString("exact neighbours %1, brute force %2 (+%3 borderline)")
                                    .arg(report.exact_neighbours).arg(sure).arg(borderline)));
            QVERIFY(report.found_neighbours <= report.exact_neighbours);
            QCOMPARE(report.recall(), double(report.found_neighbours) / double(report.exact_neighbours));
            recalls.push_back(report.recall());
            QVERIFY(contains(report.summary(), "nprobe " + std::to_string(nprobe)));

            std::set<distill::RowId> seen;
            for (std::size_t k = 0; k < result.communities.size(); ++k) {
                QVERIFY(result.communities[k].size() >= o.min_size);
                if (k) QVERIFY(result.communities[k].size() <= result.communities[k - 1].size());
                for (const auto member : result.communities[k]) {
                    QVERIFY(seen.insert(member).second);
                    QVERIFY(cosine(x.row(result.centres[k]), x.row(member)) >= o.threshold - 1e-6);
                }
            }
        }
        QVERIFY2(recalls[0] < 0.99, qPrintable(QString::number(recalls[0])));
        QVERIFY(recalls[0] < recalls[1] && recalls[1] < recalls[2]);
        QCOMPARE(recalls[2], 1.0);
    }

    void approximateIsReproducible() {
        const Matrix x = distill::synthetic_clustered_embeddings(3000, 32, 3);
        distill::CommunityOptions o;
        o.min_size = 3;
        o.approximate.enabled = true;
        o.approximate.nprobe = 2;
        const auto a = distill::detect_communities(x, o);
        QCOMPARE(distill::detect_communities(x, o).communities, a.communities);
        QCOMPARE(a.approximation->nlist, std::size_t(219));  // about 4 * sqrt(3000)
        o.approximate.seed = 5;
        QVERIFY(distill::detect_communities(x, o).approximation->sampled != a.approximation->sampled);
        o.approximate.recall_rows = 0;
        const auto unmeasured = distill::detect_communities(x, o);
        QVERIFY(unmeasured.approximation->sampled.empty());
        QVERIFY(contains(unmeasured.approximation->summary(), "recall not measured"));
    }

    // Cancel is honoured in each phase: the recall sample's exact pass, the
    // index's training (faiss polls it), the search batches.
    void approximateCancels() {
        distill::CommunityOptions o;
        o.approximate.enabled = true;
        o.approximate.nprobe = 4;
        for (const int updates : {1, 2, 3}) {
            CancelAfter sink(updates);
            QVERIFY_THROWS_EXCEPTION(distill::Cancelled, distill::detect_communities(cd_a_embeddings(), o, &sink));
        }
    }

    void approximateBadInputIsAnErrorWithAReason() {
        distill::CommunityOptions o;
        o.approximate.enabled = true;
        QVERIFY(contains(error_of([&] { distill::detect_communities(Matrix(), o); }), "empty"));
        Matrix nan(4, 3);
        std::fill(nan.values.begin(), nan.values.end(), 0.5f);
        nan.row(2)[1] = std::nanf("");
        QVERIFY(contains(error_of([&] { distill::detect_communities(nan, o); }), "row 2 (0-based) contains NaN"));
        auto bad = o;
        bad.threshold = 1.5;
        QVERIFY(contains(error_of([&] { distill::detect_communities(cd_a_embeddings(), bad); }), "[-1, 1]"));
        bad = o;
        bad.min_size = 0;
        QVERIFY(contains(error_of([&] { distill::detect_communities(cd_a_embeddings(), bad); }), "use 1 or more"));
        bad = o;
        bad.approximate.nprobe = 0;
        QVERIFY(contains(error_of([&] { distill::detect_communities(cd_a_embeddings(), bad); }), "nprobe 0"));
        // More lists than rows are capped at the rows: 3 rows, 3 lists.
        Matrix tiny(3, 2);
        tiny.values = {1, 0, 1, 0, 2, 0};
        bad = o;
        bad.approximate.nlist = 100;
        const auto result = distill::detect_communities(tiny, bad);
        QCOMPARE(result.approximation->nlist, std::size_t(3));
        QCOMPARE(result.communities, (std::vector<Community>{{0, 1, 2}}));
    }

    void searchMatchesReference() {
        const auto ref = read_json<nlohmann::json>(kCdA + "semantic_search.json");
        const auto ids = ref.at("query_ids").get<std::vector<std::size_t>>();
        const Matrix queries = rows_of(cd_a_embeddings(), ids);
        // 200 queries: enough for the bf16 filter (it leaves fewer to fp32).
        QVERIFY(ids.size() >= 16);
        for (const char* scan : {"fused", "bf16", "tensor"}) {
            distill::SearchOptions o;
            o.top_k = ref.at("top_k");
            o.compute.scan = scan;
            o.compute.tile = std::string(scan) == "fused" ? 0 : 256;
            const auto hits = distill::semantic_search(cd_a_embeddings(), queries, o);
            QCOMPARE(hits.size(), ids.size());
            for (std::size_t q = 0; q < ids.size(); ++q) {
                std::vector<double> want;
                for (const auto& h : ref.at("hits")[q]) want.push_back(h.at("score"));
                const QString diff = search_difference(cd_a_embeddings(), queries, want, hits[q], q);
                QVERIFY2(diff.isEmpty(), qPrintable(QString(scan) + ": " + diff));
            }
        }
    }

    void searchCanExcludeTheQuerysOwnRow() {
        const auto& x = cd_a_embeddings();
        // 80 queries, so the bf16 scan filters (it does from 16 on).
        std::vector<std::size_t> ids{0, 5, 17, 1234, 2999};
        for (std::size_t r = 7; ids.size() < 80; r += 37) ids.push_back(r);
        const Matrix queries = rows_of(x, ids);
        for (const char* scan : {"fused", "bf16", "tensor"}) {
            distill::SearchOptions o;
            o.top_k = 5;
            o.compute.scan = scan;
            o.compute.tile = 128;
            o.exclude.assign(ids.begin(), ids.end());
            o.exclude[1] = -1;  // this one keeps its own row
            const auto hits = distill::semantic_search(x, queries, o);
            for (std::size_t q = 0; q < ids.size(); ++q) {
                // Brute force in double: every corpus row but the excluded one.
                std::vector<double> all;
                for (std::size_t r = 0; r < x.rows; ++r)
                    if (static_cast<std::int64_t>(r) != o.exclude[q]) all.push_back(cosine(x.row(ids[q]), x.row(r)));
                std::sort(all.rbegin(), all.rend());
                all.resize(5);
                for (const auto& h : hits[q]) QVERIFY(static_cast<std::int64_t>(h.corpus_id) != o.exclude[q]);
                const QString diff = search_difference(x, queries, all, hits[q], q);
                QVERIFY2(diff.isEmpty(), qPrintable(QString(scan) + ": " + diff));
            }
            QCOMPARE(hits[1][0].corpus_id, distill::RowId(5));
        }
    }

    // Copies of one row scattered over the corpus (edge and inner columns of
    // BLAS's blocks, several tiles) must score exactly alike, so they rank
    // by row id, whatever the scan, tile or number of queries: the matmul's
    // own scores differ in the last bit with a column's place in its block.
    void searchScoresEqualRowsExactlyAlike() {
        Matrix x = cd_a_embeddings();
        const std::size_t source = 5;
        for (std::size_t r = 1; r < x.rows; r += 71)
            std::copy(x.row(source).begin(), x.row(source).end(), x.row(r).begin());
        std::vector<distill::RowId> copies;  // with the fixture's own duplicates of the row
        for (std::size_t r = 0; r < x.rows; ++r)
            if (std::equal(x.row(r).begin(), x.row(r).end(), x.row(source).begin()))
                copies.push_back(static_cast<distill::RowId>(r));
        // All of them, and fewer than there are (the lowest ids must win).
        for (const std::size_t k : {copies.size(), std::size_t(3)})
        for (const std::size_t queries : {1, 40})
            for (const char* scan : {"fused", "bf16", "tensor"})
                for (const std::size_t tile : {0, 333}) {
                    std::vector<std::size_t> ids{source};
                    for (std::size_t r = 3; ids.size() < queries; r += 53) ids.push_back(r);
                    distill::SearchOptions o;
                    o.top_k = k;
                    o.compute.scan = scan;
                    o.compute.tile = tile;
                    const auto hits = distill::semantic_search(x, rows_of(x, ids), o);
                    const QString where =
                        QString("top %1, %2, tile %3, %4 queries").arg(k).arg(scan).arg(tile).arg(queries);
                    QCOMPARE(hits[0].size(), k);
                    for (std::size_t h = 0; h < k; ++h) {
                        QVERIFY2(hits[0][h].corpus_id == copies[h], qPrintable(where + ": rank " + QString::number(h)));
                        QVERIFY2(hits[0][h].score == hits[0][0].score, qPrintable(where + ": scores differ"));
                    }
                }
    }

    // Hits 3e-6 apart, far below bf16's resolution (0.002 near 0.6): the
    // bf16 filter must still rank them by their fp32 scores, as the exact
    // scan does, also when a query's candidates span tiles.
    void searchRanksHitsCloserThanTheFilterCanTell_data() {
        QTest::addColumn<QString>("scan");
        QTest::addColumn<int>("tile");
        QTest::newRow("fused") << QString("fused") << 0;
        QTest::newRow("bf16") << QString("bf16") << 0;
        QTest::newRow("bf16, tile 333") << QString("bf16") << 333;
        QTest::newRow("bf16, tile 33") << QString("bf16") << 33;  // several query tiles too
        QTest::newRow("tensor, tile 333") << QString("tensor") << 333;
    }

    void searchRanksHitsCloserThanTheFilterCanTell() {
        QFETCH(QString, scan);
        QFETCH(int, tile);
        constexpr std::size_t queries = 80, planted = 10, noise = 1200, d = 384, k = 5;
        std::mt19937 rng(11);
        std::normal_distribution<double> normal;
        const auto random_unit = [&] {
            std::vector<double> v(d);
            double norm = 0;
            for (double& e : v) norm += (e = normal(rng)) * e;
            for (double& e : v) e /= std::sqrt(norm);
            return v;
        };
        Matrix q{queries, d};
        Matrix corpus{queries * planted + noise, d};
        // Corpus rows interleave the queries' planted rows with noise, so
        // one query's best are in several tiles of 333.
        std::vector<std::size_t> row_of(corpus.rows);  // where each planted or noise row goes
        std::iota(row_of.begin(), row_of.end(), 0);
        std::shuffle(row_of.begin(), row_of.end(), rng);
        std::vector<std::vector<std::size_t>> want(queries);  // each query's planted rows, best first
        for (std::size_t i = 0; i < queries; ++i) {
            const auto a = random_unit();
            std::copy(a.begin(), a.end(), q.row(i).begin());
            std::vector<std::size_t> ranks(planted);
            std::iota(ranks.begin(), ranks.end(), 0);
            std::shuffle(ranks.begin(), ranks.end(), rng);
            std::vector<std::pair<double, std::size_t>> scored;
            for (std::size_t p = 0; p < planted; ++p) {
                // b = c a + sqrt(1 - c^2) u, u a unit orthogonal to a: cos(a, b) = c.
                auto u = random_unit();
                double along = 0;
                for (std::size_t e = 0; e < d; ++e) along += a[e] * u[e];
                double norm = 0;
                for (std::size_t e = 0; e < d; ++e) norm += (u[e] -= along * a[e]) * u[e];
                const double c = 0.6 + 3e-6 * double(ranks[p]);
                const std::size_t row = row_of[i * planted + p];
                for (std::size_t e = 0; e < d; ++e)
                    corpus.row(row)[e] = static_cast<float>(c * a[e] + std::sqrt(1 - c * c) * u[e] / std::sqrt(norm));
                scored.push_back({c, row});
            }
            std::sort(scored.rbegin(), scored.rend());
            for (std::size_t h = 0; h < k; ++h) want[i].push_back(scored[h].second);
        }
        for (std::size_t r = queries * planted; r < corpus.rows; ++r) {
            const auto v = random_unit();
            std::copy(v.begin(), v.end(), corpus.row(row_of[r]).begin());
        }
        distill::SearchOptions o;
        o.top_k = k;
        o.compute.scan = scan.toStdString();
        o.compute.tile = static_cast<std::size_t>(tile);
        const auto hits = distill::semantic_search(corpus, q, o);
        for (std::size_t i = 0; i < queries; ++i) {
            std::vector<std::size_t> got;
            for (const auto& h : hits[i]) got.push_back(h.corpus_id);
            QVERIFY2(got == want[i], qPrintable(QString("query %1: rank order differs").arg(i)));
        }
    }

    // A kept index answers as a one-off search does, to the bit, and its
    // rows are the corpus's scaled to unit length.
    void searchIndexAnswersAsSemanticSearch() {
        const auto& x = cd_a_embeddings();
        std::vector<std::size_t> ids;
        for (std::size_t r = 3; r < x.rows; r += 97) ids.push_back(r);
        const Matrix queries = rows_of(x, ids);
        const distill::SearchIndex index{Matrix(x)};
        QCOMPARE(index.rows(), x.rows);
        QCOMPARE(index.cols(), x.cols);
        for (const char* scan : {"fused", "bf16"}) {
            distill::SearchOptions o;
            o.top_k = 6;
            o.compute.scan = scan;
            o.exclude.assign(ids.begin(), ids.end());
            const auto want = distill::semantic_search(x, queries, o);
            const auto got = index.search(queries, o);
            QCOMPARE(got.size(), want.size());
            for (std::size_t q = 0; q < want.size(); ++q) {
                QCOMPARE(got[q].size(), want[q].size());
                for (std::size_t h = 0; h < want[q].size(); ++h) {
                    QCOMPARE(got[q][h].corpus_id, want[q][h].corpus_id);
                    QVERIFY(got[q][h].score == want[q][h].score);  // QCOMPARE would allow a fuzz
                }
            }
        }
        const Matrix row = index.query_for(ids[1]);
        QCOMPARE(row.rows, std::size_t(1));
        double norm = 0;
        for (float v : row.values) norm += double(v) * v;
        QVERIFY(std::abs(norm - 1) < 1e-6);
        QVERIFY(std::abs(cosine(row.row(0), x.row(ids[1])) - 1) < 1e-6);
        QVERIFY(contains(error_of([&] { (void)index.query_for(x.rows); }), "past the corpus"));
        Matrix nan(4, 3);
        nan.values[7] = std::numeric_limits<float>::quiet_NaN();
        QVERIFY(contains(error_of([&] { distill::SearchIndex{std::move(nan)}; }), "row 2 (0-based)"));
    }

    void searchReturnsFewerHitsThanAskedOnASmallCorpus() {
        Matrix corpus(3, 2);
        corpus.values = {1, 0, 0, 1, 1, 1};
        Matrix query(1, 2);
        query.values = {1, 0.1f};
        distill::SearchOptions o;
        o.top_k = 10;
        o.exclude = {0};
        const auto hits = distill::semantic_search(corpus, query, o);
        QCOMPARE(hits[0].size(), std::size_t(2));
        QCOMPARE(hits[0][0].corpus_id, distill::RowId(2));
        QCOMPARE(hits[0][1].corpus_id, distill::RowId(1));
    }

    void badInputIsAnErrorWithAReason() {
        distill::CommunityOptions o;
        QVERIFY(contains(error_of([&] { distill::detect_communities(Matrix(), o); }), "empty"));
        QVERIFY(contains(error_of([&] { distill::detect_communities(Matrix(0, 48), o); }), "empty"));
        Matrix nan(4, 3);
        std::fill(nan.values.begin(), nan.values.end(), 0.5f);
        nan.row(2)[1] = std::nanf("");
        QVERIFY(contains(error_of([&] { distill::detect_communities(nan, o); }), "row 2 (0-based) contains NaN"));
        nan.row(2)[1] = INFINITY;
        QVERIFY(contains(error_of([&] { distill::detect_communities(nan, o); }), "row 2 (0-based) contains NaN"));
        const Matrix& x = cd_a_embeddings();
        for (const double t : {1.5, -1.01, double(NAN)}) {
            distill::CommunityOptions bad;
            bad.threshold = t;
            QVERIFY(contains(error_of([&] { distill::detect_communities(x, bad); }), "[-1, 1]"));
        }
        distill::CommunityOptions zero;
        zero.min_size = 0;
        QVERIFY(contains(error_of([&] { distill::detect_communities(x, zero); }), "use 1 or more"));
        distill::CommunityOptions tpu;
        tpu.compute.device = "tpu";
        QVERIFY(contains(error_of([&] { distill::detect_communities(x, tpu); }), "not one of auto, cpu, cuda"));
        distill::CommunityOptions scan;
        scan.compute.scan = "simd";
        QVERIFY(contains(error_of([&] { distill::detect_communities(x, scan); }), "not one of auto, fused, bf16, tensor"));
        if (distill::compute_info().cuda_devices == 0) {
            distill::CommunityOptions cuda;
            cuda.compute.device = "cuda";
            QVERIFY(contains(error_of([&] { distill::detect_communities(x, cuda); }), "no CUDA device"));
        }

        distill::SearchOptions s;
        s.top_k = 3;
        Matrix narrow(2, 47);
        QVERIFY(contains(error_of([&] { distill::semantic_search(x, narrow, s); }), "47 dimensions but the corpus has 48"));
        QVERIFY(contains(error_of([&] { distill::semantic_search(Matrix(), x, s); }), "corpus embeddings are empty"));
        QVERIFY(contains(error_of([&] { distill::semantic_search(x, Matrix(0, 48), s); }), "query embeddings are empty"));
        QVERIFY(contains(error_of([&] { distill::semantic_search(x, nan, s); }), "row 2 (0-based)"));
        const Matrix two = rows_of(x, {1, 2});
        s.top_k = 0;
        QVERIFY(contains(error_of([&] { distill::semantic_search(x, two, s); }), "top-k 0"));
        s.top_k = 3;
        s.exclude = {1};
        QVERIFY(contains(error_of([&] { distill::semantic_search(x, two, s); }), "one corpus row (or -1) per query"));
        s.exclude = {1, 3000};
        QVERIFY(contains(error_of([&] { distill::semantic_search(x, two, s); }), "excludes corpus row 3000"));
    }

    void samplingFewerThanCommunitiesTakesOneFromEach() {
        const std::vector<Community> communities{{1, 2, 3, 4}, {10, 11}, {20, 21, 22}, {30}};
        QCOMPARE(distill::sample_counts(communities, 3), (std::vector<std::size_t>{1, 1, 1, 1}));
        const auto sample = distill::sample_communities(communities, 3, 7);
        QCOMPARE(sample.size(), communities.size());
        for (std::size_t c = 0; c < communities.size(); ++c) {
            QCOMPARE(sample[c].size(), std::size_t(1));
            QVERIFY(std::count(communities[c].begin(), communities[c].end(), sample[c][0]) == 1);
        }
    }

    void samplingSharesByCommunitySize() {
        // 100 + 50 + 30 + 15 + 5 = 200 members, N = 20: floor(size * 20 / 200)
        // = 10, 5, 3, 1, 0 -> at least 1.
        std::vector<Community> communities;
        distill::RowId next = 0;
        for (const std::size_t size : {100, 50, 30, 15, 5}) {
            Community c(size);
            for (auto& r : c) r = next++;
            communities.push_back(c);
        }
        QCOMPARE(distill::sample_counts(communities, 20), (std::vector<std::size_t>{10, 5, 3, 1, 1}));
        QCOMPARE(distill::sample_counts(communities, 5), (std::vector<std::size_t>{2, 1, 1, 1, 1}));
        // More than there are members: every member, never a repeat.
        QCOMPARE(distill::sample_counts(communities, 1000), (std::vector<std::size_t>{100, 50, 30, 15, 5}));

        const auto a = distill::sample_communities(communities, 20, 42);
        QCOMPARE(a, distill::sample_communities(communities, 20, 42));  // same seed, same sample
        QVERIFY(a != distill::sample_communities(communities, 20, 43));
        for (std::size_t c = 0; c < communities.size(); ++c) {
            QCOMPARE(a[c].size(), distill::sample_counts(communities, 20)[c]);
            const std::set<distill::RowId> distinct(a[c].begin(), a[c].end());
            QCOMPARE(distinct.size(), a[c].size());
            for (const auto r : a[c]) QVERIFY(std::count(communities[c].begin(), communities[c].end(), r) == 1);
        }
        const auto everyone = distill::sample_communities(communities, 1000, 42);
        for (std::size_t c = 0; c < communities.size(); ++c) {
            auto sorted = everyone[c];
            std::sort(sorted.begin(), sorted.end());
            QCOMPARE(sorted, communities[c]);
        }
        QVERIFY_THROWS_EXCEPTION(distill::Error, distill::sample_counts(communities, 0));
        QVERIFY(distill::sample_communities({}, 10, 42).empty());
    }

    // The draw is part of a project's reproducibility: pin it, so a change
    // of generator or shuffle cannot pass unnoticed.
    void samplingDrawIsPinned() {
        Community c(10);
        for (distill::RowId i = 0; i < 10; ++i) c[i] = i;
        const auto sample = distill::sample_communities({c}, 4, 42);
        QCOMPARE(sample[0], (Community{7, 6, 8, 3}));
    }

    // Draws are uniform: every member of a community of 5 is picked as the
    // one sample about equally often over many seeds.
    void samplingIsUniform() {
        const std::vector<Community> communities{{0, 1, 2, 3, 4}, {5}};
        std::vector<int> hits(5, 0);
        for (std::uint64_t seed = 0; seed < 5000; ++seed) ++hits[distill::sample_communities(communities, 1, seed)[0][0]];
        for (const int h : hits) QVERIFY2(h > 850 && h < 1150, qPrintable(QString::number(h)));
    }

    void benchmarkRunsOnSyntheticData() {
        distill::CommunityBenchOptions o;
        o.rows = 3000;
        o.dim = 64;
        const auto r = distill::bench_communities(o);
        QVERIFY(r.communities > 0);
        QVERIFY(r.covered <= r.rows && r.covered >= r.communities * 10);
        QVERIFY(r.seeds >= r.communities);
        QVERIFY(r.matmul_seconds > 0);
        QVERIFY(r.cpu_threads >= 1);
        QVERIFY(r.summary().find("3000 x 64") != std::string::npos);
        QVERIFY(!r.approximation.has_value());

        o.detect.approximate.enabled = true;
        o.detect.approximate.nprobe = 4;
        const auto a = distill::bench_communities(o);
        QVERIFY(a.approximation.has_value());
        QVERIFY(a.exact_seconds > 0 && a.matmul_seconds == 0);
        QVERIFY(a.communities > 0 && a.exact_communities > 0);
        QVERIFY(contains(a.summary(), "neighbour recall"));
        // The word follows the ratio of the two timings.
        QVERIFY(contains(a.summary(), a.exact_seconds >= a.detect_seconds ? "times faster" : "times slower"));
        const auto x = distill::synthetic_clustered_embeddings(500, 16, 1);
        QCOMPARE(x.values, distill::synthetic_clustered_embeddings(500, 16, 1).values);
        for (std::size_t i = 0; i < x.rows; ++i) {
            double norm = 0;
            for (const float v : x.row(i)) norm += double(v) * v;
            QVERIFY(std::abs(norm - 1.0) < 1e-5);
        }
    }
};

QTEST_GUILESS_MAIN(TestCluster)
#include "test_cluster.moc"
