// Content hashes key every cache and name every input in a manifest: equal
// bytes must give equal hashes, and any change (even moving a boundary
// between parts) a different one.
#include <QtTest>

#include <fstream>

#include "distill/content_hash.h"
#include "distill/error.h"

class TestContentHash : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string write(const char* name, const std::string& bytes) {
        const std::string path = (dir_.path() + "/" + name).toStdString();
        std::ofstream(path, std::ios::binary) << bytes;
        return path;
    }

private Q_SLOTS:
    void equalInputsGiveEqualHashes() {
        QCOMPARE(distill::ContentHasher().add("model").add(7).hex(),
                 distill::ContentHasher().add("model").add(7).hex());
        QCOMPARE(distill::ContentHasher().add("x").hex().size(), std::size_t(32));
    }
    void partBoundariesMatter() {
        QVERIFY(distill::ContentHasher().add("ab").add("c").hex() != distill::ContentHasher().add("a").add("bc").hex());
        QVERIFY(distill::ContentHasher().add("").hex() != distill::ContentHasher().hex());
    }
    void aFileHashesItsBytesNotItsName() {
        const auto a = write("a.txt", std::string(3 << 20, 'q'));  // several read buffers
        const auto b = write("b.txt", std::string(3 << 20, 'q'));
        QCOMPARE(distill::hash_file(a), distill::hash_file(b));
        write("b.txt", std::string(3 << 20, 'q') + "!");
        QVERIFY(distill::hash_file(a) != distill::hash_file(b));
        // A file hashes like its bytes streamed in, and as `xxhsum -H2` does
        // (XXH3-128 of "hello", high half first), so a user can check a
        // manifest with Debian's xxhash package.
        write("c.txt", "hello");
        distill::ContentHasher streamed;
        streamed.update("hel", 3);
        streamed.update("lo", 2);
        QCOMPARE(distill::hash_file((dir_.path() + "/c.txt").toStdString()), streamed.hex());
        QCOMPARE(streamed.hex(), std::string("b5e9c1ad071b3e7fc779cfaa5e523818"));
    }
    void aMissingFileIsNamed() {
        try {
            distill::hash_file("/nonexistent/model.safetensors");
            QFAIL("no error");
        } catch (const distill::Error& e) {
            QVERIFY(std::string(e.what()).find("/nonexistent/model.safetensors") != std::string::npos);
        }
    }
};

QTEST_GUILESS_MAIN(TestContentHash)
#include "test_content_hash.moc"
