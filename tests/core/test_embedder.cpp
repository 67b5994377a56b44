// The embedders that need no model weights: the built-in hashing embedder
// (the offline default, which must give sensible neighbours) and imported
// .npy vectors.
#include <QtTest>

#include <cmath>

#include "distill/embedder.h"
#include "distill/error.h"
#include "distill/npy.h"
#include "support/test_support.h"

using distill::test::cosine;

namespace {

const std::vector<std::string> kQuestions = {
    "Janet has 16 ducks. She eats 3 eggs every morning. How many eggs are left?",
    "Janet has 18 ducks. She eats 4 eggs every morning. How many eggs are left?",
    "Janet has 16 duck. She eats three eggs each morning. How many eggs are left over?",
    "What is the capital city of France?",
    "Which organelle produces energy in a eukaryotic cell?",
    "A train travels 120 km in 2 hours. What is its average speed?",
    "A train travels 150 km in 3 hours. What is its average speed?",
    "Café crème: ¿cuántas tazas quedan?",
    "",
};

}  // namespace

class TestEmbedder : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void hashingGivesUnitRowsDeterministically() {
        auto embedder = distill::make_embedder("hashing");
        const auto a = embedder->embed(kQuestions);
        QCOMPARE(a.rows, kQuestions.size());
        QVERIFY(a.cols >= 256);
        for (std::size_t i = 0; i + 1 < a.rows; ++i) QVERIFY(std::abs(cosine(a.row(i), a.row(i)) - 1) < 1e-5f);
        // An empty question has no features: a zero row, not NaN.
        for (float v : a.row(a.rows - 1)) QCOMPARE(v, 0.0f);
        QCOMPARE(distill::make_embedder("hashing")->embed(kQuestions).values, a.values);
        QCOMPARE(embedder->identity(), distill::make_embedder("hashing")->identity());
    }

    void hashingPutsNearDuplicatesClose() {
        const auto x = distill::make_embedder("hashing")->embed(kQuestions);
        // Same question with other numbers or a small rewording: close.
        QVERIFY2(cosine(x.row(0), x.row(1)) > 0.75f, qPrintable(QString::number(cosine(x.row(0), x.row(1)))));
        QVERIFY2(cosine(x.row(0), x.row(2)) > 0.6f, qPrintable(QString::number(cosine(x.row(0), x.row(2)))));
        QVERIFY(cosine(x.row(5), x.row(6)) > 0.75f);
        // Different topics: far apart, and each question's nearest other row is its near-duplicate.
        QVERIFY(cosine(x.row(0), x.row(3)) < 0.3f);
        QVERIFY(cosine(x.row(4), x.row(5)) < 0.3f);
        for (std::size_t i : {0u, 5u}) {
            std::size_t best = 0;
            float best_score = -2;
            for (std::size_t j = 0; j < x.rows; ++j)
                if (j != i && cosine(x.row(i), x.row(j)) > best_score) best_score = cosine(x.row(i), x.row(j)), best = j;
            QCOMPARE(best, i + 1);
        }
    }

    void importsNpyWithOneRowPerQuestion() {
        QTemporaryDir dir;
        const std::string path = (dir.path() + "/vectors.npy").toStdString();
        distill::Matrix m(3, 4);
        for (std::size_t i = 0; i < m.values.size(); ++i) m.values[i] = float(i);
        distill::write_npy(path, m);
        auto embedder = distill::make_embedder("npy:" + path);
        QCOMPARE(embedder->embed({"a", "b", "c"}).values, m.values);
        const std::string before = embedder->identity();
        try {
            embedder->embed({"a", "b"});
            QFAIL("a row count mismatch was accepted");
        } catch (const distill::Error& e) {
            QVERIFY2(std::string(e.what()).find("has 3 rows but there are 2 questions") != std::string::npos, e.what());
        }
        // New content under the same name is a new identity: the cache cannot serve stale vectors.
        m.values[0] = 42;
        distill::write_npy(path, m);
        QVERIFY(embedder->identity() != before);
    }

    void rejectsUnknownSpecs() {
        QVERIFY_THROWS_EXCEPTION(distill::Error, distill::make_embedder("/no/such/model"));
        QVERIFY_THROWS_EXCEPTION(distill::Error, distill::make_embedder("npy:/no/such.npy")->identity());
    }
};

QTEST_GUILESS_MAIN(TestEmbedder)
#include "test_embedder.moc"
