// The embedding cache (SPEC §2): a hit for the same embedder and texts, a
// miss by itself when the texts or the model change, and an entry that does
// not match its record (truncated, bit-flipped, stale) is never used.
#include <QtTest>

#include <filesystem>
#include <fstream>

#include "distill/embedder.h"
#include "distill/error.h"
#include "distill/npy.h"

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kTexts = {"Janet has 16 ducks. How many eggs are left?",
                                         "What is the capital city of France?", "", "A train travels 120 km."};

std::vector<fs::path> entries(const std::string& dir, const char* extension) {
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == extension) found.push_back(e.path());
    return found;
}

struct Lookup {
    distill::Matrix vectors;
    bool hit = false;
};

Lookup lookup(distill::Embedder& embedder, const std::string& cache, const std::vector<std::string>& texts = kTexts) {
    Lookup l;
    l.vectors = distill::embed_cached(embedder, texts, cache, nullptr, &l.hit);
    return l;
}

}  // namespace

class TestEmbedCache : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void hitsForTheSameEmbedderAndTexts() {
        QTemporaryDir tmp;
        const std::string cache = (tmp.path() + "/cache").toStdString();  // created on first use
        auto embedder = distill::make_embedder("hashing");
        const auto first = lookup(*embedder, cache);
        QVERIFY(!first.hit);
        QCOMPARE(first.vectors.values, embedder->embed(kTexts).values);
        QCOMPARE(entries(cache, ".npy").size(), std::size_t(1));
        QCOMPARE(entries(cache, ".json").size(), std::size_t(1));
        // The stored file is a plain .npy of the vectors.
        QCOMPARE(distill::read_npy(entries(cache, ".npy").front().string()).values, first.vectors.values);
        const auto second = lookup(*embedder, cache);
        QVERIFY(second.hit);
        QCOMPARE(second.vectors.values, first.vectors.values);
        // A hit names that entry too, for readers that must not embed again.
        std::string entry;
        distill::embed_cached(*embedder, kTexts, cache, nullptr, nullptr, &entry);
        QCOMPARE(fs::path(entry), entries(cache, ".npy").front());
    }

    void missesWhenATextChanges() {
        QTemporaryDir tmp;
        const std::string cache = tmp.path().toStdString();
        auto embedder = distill::make_embedder("hashing");
        QVERIFY(!lookup(*embedder, cache).hit);
        auto changed = kTexts;
        changed[1] += " ";
        QVERIFY(!lookup(*embedder, cache, changed).hit);
        // Moving a character between neighbouring texts is another list.
        QVERIFY(!lookup(*embedder, cache, {"ab", "c"}).hit);
        QVERIFY(!lookup(*embedder, cache, {"a", "bc"}).hit);
        QVERIFY(lookup(*embedder, cache, {"ab", "c"}).hit);
        QVERIFY(lookup(*embedder, cache).hit);
    }

    void missesWhenTheModelChanges() {
        QTemporaryDir tmp;
        const std::string cache = (tmp.path() + "/cache").toStdString();
        const std::string vectors = (tmp.path() + "/vectors.npy").toStdString();
        distill::Matrix m(kTexts.size(), 3);
        for (std::size_t i = 0; i < m.values.size(); ++i) m.values[i] = float(i);
        distill::write_npy(vectors, m);
        auto imported = distill::make_embedder("npy:" + vectors);
        QVERIFY(!lookup(*imported, cache).hit);
        const auto hit = lookup(*imported, cache);
        QVERIFY(hit.hit);
        QCOMPARE(hit.vectors.values, m.values);
        // New vectors under the same file name: a new identity, a miss, the new values.
        m.values[0] = 42;
        distill::write_npy(vectors, m);
        const auto changed = lookup(*imported, cache);
        QVERIFY(!changed.hit);
        QCOMPARE(changed.vectors.values, m.values);
        // Another embedder on the same texts is another entry.
        auto hashing = distill::make_embedder("hashing");
        QVERIFY(!lookup(*hashing, cache).hit);
        QCOMPARE(entries(cache, ".npy").size(), std::size_t(3));
        // A model directory's identity is part of the key too.
        auto model = distill::make_embedder(std::string(DISTILL_TEST_DATA) + "/models/tiny-bert-cls");
        const auto from_model = lookup(*model, cache);
        QVERIFY(!from_model.hit);
        QCOMPARE(from_model.vectors.cols, std::size_t(64));
        QVERIFY(lookup(*model, cache).hit);
    }

    void ignoresAndRebuildsCorruptEntries() {
        QTemporaryDir tmp;
        const std::string cache = tmp.path().toStdString();
        auto embedder = distill::make_embedder("hashing");
        const auto good = lookup(*embedder, cache).vectors;
        const auto npy = entries(cache, ".npy").front();
        const auto size = fs::file_size(npy);
        const auto rebuilt = [&] {
            const auto l = lookup(*embedder, cache);
            return !l.hit && l.vectors.values == good.values;
        };

        // Half-written, as a copy interrupted by a crash would leave it.
        fs::resize_file(npy, size / 2);
        QVERIFY(rebuilt());
        QCOMPARE(fs::file_size(npy), size);
        QVERIFY(lookup(*embedder, cache).hit);

        // Same size, one value changed: the record's content hash catches it.
        {
            std::fstream f(npy, std::ios::in | std::ios::out | std::ios::binary);
            f.seekp(std::streamoff(size - 4));
            const float wrong = 7.0f;
            f.write(reinterpret_cast<const char*>(&wrong), sizeof wrong);
        }
        QVERIFY(rebuilt());

        // A record that is not JSON, or none: the entry is not trusted.
        const auto record = entries(cache, ".json").front();
        std::ofstream(record, std::ios::trunc) << "{not json";
        QVERIFY(rebuilt());
        fs::remove(record);
        QVERIFY(rebuilt());
        QVERIFY(lookup(*embedder, cache).hit);
    }

    // What opening the last run asks: is the entry there, and where, without
    // reading its vectors or embedding.
    void findsAnEntryWithoutEmbedding() {
        QTemporaryDir tmp;
        const std::string cache = tmp.path().toStdString();
        auto embedder = distill::make_embedder("hashing");
        QVERIFY(!distill::find_cached_embeddings(*embedder, kTexts, cache));
        QVERIFY(entries(cache, ".npy").empty());  // a look writes nothing
        const auto vectors = lookup(*embedder, cache).vectors;
        const auto found = distill::find_cached_embeddings(*embedder, kTexts, cache);
        QVERIFY(found);
        QCOMPARE(fs::path(found->npy), entries(cache, ".npy").front());
        QCOMPARE(found->rows, vectors.rows);
        QCOMPARE(found->cols, vectors.cols);
        // Other texts, a cut-short .npy or no record: not there.
        QVERIFY(!distill::find_cached_embeddings(*embedder, {"another question"}, cache));
        fs::resize_file(found->npy, fs::file_size(found->npy) - 4);
        QVERIFY(!distill::find_cached_embeddings(*embedder, kTexts, cache));
        QVERIFY(!lookup(*embedder, cache).hit);  // rebuilt
        QVERIFY(distill::find_cached_embeddings(*embedder, kTexts, cache));
        fs::remove(entries(cache, ".json").front());
        QVERIFY(!distill::find_cached_embeddings(*embedder, kTexts, cache));
    }

    // What a tool reading a run's vectors later gets: the entry's values
    // once they agree with its record, and otherwise an error naming the
    // file and saying to run again, never the changed values.
    void readsARunsVectorsOnlyAsRecorded() {
        QTemporaryDir tmp;
        const std::string cache = tmp.path().toStdString();
        auto embedder = distill::make_embedder("hashing");
        std::string npy;
        const auto vectors = distill::embed_cached(*embedder, kTexts, cache, nullptr, nullptr, &npy);
        QCOMPARE(distill::read_cached_embeddings(npy, kTexts.size()).values, vectors.values);

        const auto refused = [&](std::size_t rows, const char* problem) {
            try {
                distill::read_cached_embeddings(npy, rows);
            } catch (const distill::Error& e) {
                const std::string message = e.what();
                return message.rfind(npy, 0) == 0 && message.find(problem) != std::string::npos &&
                       message.find("run the pipeline again") != std::string::npos;
            }
            return false;
        };
        QVERIFY(refused(kTexts.size() + 1, "no longer match their record"));
        {
            // One value changed in place, the file's size as before.
            std::fstream f(npy, std::ios::in | std::ios::out | std::ios::binary);
            float value = 0;
            f.seekg(-std::streamoff(sizeof value), std::ios::end);
            f.read(reinterpret_cast<char*>(&value), sizeof value);
            value += 1;
            f.seekp(-std::streamoff(sizeof value), std::ios::end);
            f.write(reinterpret_cast<const char*>(&value), sizeof value);
        }
        QVERIFY(refused(kTexts.size(), "no longer match their record"));
        fs::remove(npy);
        QVERIFY(refused(kTexts.size(), "are gone"));
    }
};

QTEST_GUILESS_MAIN(TestEmbedCache)
#include "test_embed_cache.moc"
