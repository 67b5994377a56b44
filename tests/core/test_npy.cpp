// .npy reading and writing, checked against numpy itself (Debian's
// python3-numpy): what np.save writes we read, what we write np.load reads.
#include <QtTest>

#include <fstream>

#include "distill/error.h"
#include "distill/npy.h"
#include "support/test_support.h"

using distill::test::error_of;

namespace {

// Runs a Python snippet with numpy imported as np; `d` is the temp folder.
bool run_numpy(const QString& dir, const QString& code) {
    return distill::test::run_python("import numpy as np, sys; d = sys.argv[1]\n" + code, {dir}).has_value();
}

}  // namespace

class TestNpy : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string at(const char* name) const { return (dir_.path() + "/" + name).toStdString(); }

private Q_SLOTS:
    void readsWhatNumpyWrites() {
        QVERIFY(run_numpy(dir_.path(),
                          "x = np.arange(3 * 5, dtype=np.float32).reshape(3, 5) / 7\n"
                          "np.save(d + '/f4.npy', x); np.save(d + '/f8.npy', x.astype(np.float64))\n"
                          "np.save(d + '/f2.npy', x.astype(np.float16)); np.save(d + '/empty.npy', np.zeros((0, 4), np.float32))"));
        const auto f4 = distill::read_npy(at("f4.npy"));
        QCOMPARE(f4.rows, std::size_t(3));
        QCOMPARE(f4.cols, std::size_t(5));
        for (std::size_t i = 0; i < 15; ++i) QCOMPARE(f4.values[i], float(i) / 7.0f);
        const auto f8 = distill::read_npy(at("f8.npy"));
        QCOMPARE(f8.values, f4.values);
        const auto f2 = distill::read_npy(at("f2.npy"));
        for (std::size_t i = 0; i < 15; ++i) QVERIFY(std::abs(f2.values[i] - f4.values[i]) < 2e-3f);
        const auto empty = distill::read_npy(at("empty.npy"));
        QCOMPARE(empty.rows, std::size_t(0));
        QCOMPARE(empty.cols, std::size_t(4));
        // The shape alone, as numpy wrote it.
        const distill::NpyShape f2_shape = distill::read_npy_shape(at("f2.npy"));
        QCOMPARE(f2_shape.rows, std::size_t(3));
        QCOMPARE(f2_shape.cols, std::size_t(5));
    }

    void numpyReadsWhatWeWrite() {
        distill::Matrix m(4, 3);
        for (std::size_t i = 0; i < m.values.size(); ++i) m.values[i] = float(i) * 0.25f - 1;
        distill::write_npy(at("ours.npy"), m);
        QVERIFY(run_numpy(dir_.path(),
                          "x = np.load(d + '/ours.npy')\n"
                          "assert x.dtype == np.float32 and x.shape == (4, 3), (x.dtype, x.shape)\n"
                          "assert (x.ravel() == np.arange(12, dtype=np.float32) * 0.25 - 1).all()"));
        QCOMPARE(distill::read_npy(at("ours.npy")).values, m.values);
    }

    void readsFortranOrder() {
        // np.save of a transposed or asfortranarray matrix: the same rows.
        QVERIFY(run_numpy(dir_.path(),
                          "x = (np.arange(12, dtype=np.float64) * 0.5).reshape(4, 3)\n"
                          "np.save(d + '/f4.npy', np.asfortranarray(x.astype(np.float32)))\n"
                          "np.save(d + '/f8.npy', np.ascontiguousarray(x.T).T)\n"
                          "assert not np.load(d + '/f8.npy').flags.c_contiguous"));
        for (const char* file : {"f4.npy", "f8.npy"}) {
            const distill::Matrix m = distill::read_npy(at(file));
            QCOMPARE(m.rows, std::size_t(4));
            QCOMPARE(m.cols, std::size_t(3));
            for (std::size_t i = 0; i < 12; ++i) QCOMPARE(m.values[i], float(i) * 0.5f);
            QCOMPARE(distill::read_npy_shape(at(file)).rows, std::size_t(4));
        }
        // Larger than one read chunk (65536 values), and in half precision:
        // each read equals numpy's C-order copy of the same values.
        QVERIFY(run_numpy(dir_.path(),
                          "x = np.random.default_rng(3).standard_normal((300, 301)).astype(np.float32)\n"
                          "for t in ('f2', 'f4', 'f8'):\n"
                          "    y = x.astype(t)\n"
                          "    np.save(d + '/big-F-' + t + '.npy', np.asfortranarray(y))\n"
                          "    np.save(d + '/big-C-' + t + '.npy', np.ascontiguousarray(y.astype(np.float32)))"));
        for (const std::string t : {"f2", "f4", "f8"}) {
            const distill::Matrix fortran = distill::read_npy(at(("big-F-" + t + ".npy").c_str()));
            const distill::Matrix c_order = distill::read_npy(at(("big-C-" + t + ".npy").c_str()));
            QCOMPARE(fortran.rows, std::size_t(300));
            QCOMPARE(fortran.cols, std::size_t(301));
            QVERIFY2(fortran.values == c_order.values, t.c_str());
        }
    }

    void rejectsWhatIsNotA2dFloatArray() {
        QVERIFY(run_numpy(dir_.path(),
                          "np.save(d + '/ints.npy', np.arange(6).reshape(2, 3))\n"
                          "np.save(d + '/vector.npy', np.zeros(5, np.float32))\n"
                          "np.save(d + '/full.npy', np.zeros((100, 8), np.float32))\n"
                          "b = open(d + '/full.npy', 'rb').read(); open(d + '/cut.npy', 'wb').write(b[:len(b) // 2])\n"
                          "open(d + '/text.npy', 'w').write('question,answer\\n')\n"
                          // A header whose byte count wraps 64 bits round to a small number.
                          "h = b\"{'descr': '<f4', 'fortran_order': True, 'shape': (4611686018427387905, 4), }\"\n"
                          "h += b' ' * ((64 - (10 + len(h) + 1) % 64) % 64) + b'\\n'\n"
                          "open(d + '/huge.npy', 'wb').write(b'\\x93NUMPY\\x01\\x00' + len(h).to_bytes(2, 'little') + h + bytes(64))"));
        const std::pair<const char*, const char*> cases[] = {
            {"ints.npy", "dtype is <i8"},
            {"vector.npy", "1 dimension"},
            {"cut.npy", "truncated"},
            {"text.npy", "not a .npy file"},
            {"missing.npy", "cannot open"},
            {"huge.npy", "too large to be real"},
        };
        // Reading only the shape checks the same: a cut-short file is refused
        // before anyone relies on its vectors being there.
        for (const auto& [file, expected] : cases)
            for (const auto& read : {+[](const std::string& p) { distill::read_npy(p); },
                                     +[](const std::string& p) { distill::read_npy_shape(p); }}) {
                const std::string msg = error_of([&] { read(at(file)); });
                QVERIFY2(msg.find(at(file)) != std::string::npos, msg.c_str());
                QVERIFY2(msg.find(expected) != std::string::npos, msg.c_str());
            }
    }
};

QTEST_GUILESS_MAIN(TestNpy)
#include "test_npy.moc"
