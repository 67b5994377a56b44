#include "distill/npy.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <regex>

#include "distill/atomic_file.h"
#include "distill/error.h"

namespace distill {
namespace {

static_assert(std::endian::native == std::endian::little, ".npy '<f4' is read without byte swapping");

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw Error(path + ": " + problem + "; expected a 2-D float32 .npy array (one row per question), "
                                        "e.g. np.save(path, x.astype(np.float32))");
}

struct Header {
    std::string dtype;
    bool fortran_order = false;
    std::size_t rows = 0, cols = 0;
    int dims = 0;
};

// The header is a Python dict literal written by numpy, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (3000, 48), }
Header parse_header(const std::string& text, const std::string& path) {
    Header h;
    std::smatch m;
    if (!std::regex_search(text, m, std::regex(R"('descr'\s*:\s*'([^']*)')")))
        fail(path, "the .npy header has no 'descr'");
    h.dtype = m[1];
    if (!std::regex_search(text, m, std::regex(R"('fortran_order'\s*:\s*(True|False))")))
        fail(path, "the .npy header has no 'fortran_order'");
    h.fortran_order = m[1] == "True";
    if (!std::regex_search(text, m, std::regex(R"('shape'\s*:\s*\(([^)]*)\))")))
        fail(path, "the .npy header has no 'shape'");
    std::vector<std::size_t> shape;
    const std::string dims = m[1];
    const std::regex number(R"(\d+)");
    for (auto it = std::sregex_iterator(dims.begin(), dims.end(), number); it != std::sregex_iterator(); ++it)
        shape.push_back(std::stoull(it->str()));
    h.dims = int(shape.size());
    if (shape.size() == 2) {
        h.rows = shape[0];
        h.cols = shape[1];
    }
    return h;
}

// Reads the array's values in file order, a chunk at a time, each turned to
// float and put where C order wants it. Fortran order (column by column) is
// so read straight into place, with no second copy of the matrix to
// transpose (2 GB at 700k x 768).
template <class T, class ToFloat>
void read_values(std::ifstream& in, Matrix& out, bool fortran_order, ToFloat to_float) {
    constexpr std::size_t kChunk = std::size_t(1) << 16;
    std::vector<T> buffer(kChunk);
    const std::size_t total = out.rows * out.cols;
    std::size_t r = 0, c = 0;  // where the next Fortran-order value goes
    for (std::size_t start = 0; start < total && in; start += kChunk) {
        const std::size_t n = std::min(kChunk, total - start);
        in.read(reinterpret_cast<char*>(buffer.data()), std::streamsize(n * sizeof(T)));
        if (!fortran_order) {
            std::transform(buffer.begin(), buffer.begin() + std::ptrdiff_t(n), out.values.begin() + std::ptrdiff_t(start),
                           to_float);
            continue;
        }
        for (std::size_t i = 0; i < n; ++i) {
            out.values[r * out.cols + c] = to_float(buffer[i]);
            if (++r == out.rows) r = 0, ++c;
        }
    }
}

float half_to_float(std::uint16_t h) {
    const int sign = (h >> 15) & 1, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
    float v;
    if (exponent == 0) v = std::ldexp(float(mantissa), -24);
    else if (exponent == 31) v = mantissa ? NAN : INFINITY;
    else v = std::ldexp(float(mantissa + 1024), exponent - 25);
    return sign ? -v : v;
}

// The array's layout, with `in` left at its first value: every check of
// read_npy but the read itself.
struct Layout {
    std::size_t rows = 0, cols = 0, item = 0;  // item: bytes per value
    bool fortran_order = false;                // column by column, as np.asfortranarray (or x.T) saves
};

Layout open_array(const std::string& path, std::ifstream& in) {
    if (!in) throw Error(path + ": cannot open the file; check the path");
    char preamble[kMagicSize + 2];
    if (!in.read(preamble, sizeof preamble) || std::memcmp(preamble, kMagic, kMagicSize) != 0)
        fail(path, "not a .npy file (no \\x93NUMPY magic)");
    const int major = static_cast<unsigned char>(preamble[kMagicSize]);
    std::size_t header_size = 0;
    unsigned char len[4] = {0, 0, 0, 0};
    const int len_bytes = major == 1 ? 2 : 4;  // version 2 and 3 widen the length to 4 bytes
    if (major < 1 || major > 3 || !in.read(reinterpret_cast<char*>(len), len_bytes))
        fail(path, "unsupported .npy version " + std::to_string(major));
    for (int i = len_bytes - 1; i >= 0; --i) header_size = header_size << 8 | len[i];
    std::string header(header_size, '\0');
    if (!in.read(header.data(), std::streamsize(header_size))) fail(path, "the .npy header is cut short");

    const Header h = parse_header(header, path);
    if (h.dims != 2) fail(path, "the array has " + std::to_string(h.dims) + " dimension(s)");
    std::size_t item = 0;
    if (h.dtype == "<f4" || h.dtype == "<f8" || h.dtype == "<f2") item = std::size_t(h.dtype[2] - '0');
    else fail(path, "the array's dtype is " + h.dtype);

    const auto data_start = in.tellg();
    in.seekg(0, std::ios::end);
    const auto available = std::uint64_t(in.tellg() - data_start);
    // A shape whose byte count overflows is no file anyone could have.
    if (h.cols != 0 && h.rows > std::numeric_limits<std::uint64_t>::max() / h.cols / item)
        fail(path, "its shape (" + std::to_string(h.rows) + ", " + std::to_string(h.cols) + ") is too large to be real");
    const std::uint64_t needed = std::uint64_t(h.rows) * h.cols * item;
    if (available < needed)
        fail(path, "the file holds " + std::to_string(available) + " bytes of data but its shape (" +
                       std::to_string(h.rows) + ", " + std::to_string(h.cols) + ") needs " +
                       std::to_string(needed) + " (a truncated copy?)");
    in.seekg(data_start);
    return {h.rows, h.cols, item, h.fortran_order};
}

}  // namespace

NpyShape read_npy_shape(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const Layout layout = open_array(path, in);
    return {layout.rows, layout.cols};
}

Matrix read_npy(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const Layout layout = open_array(path, in);
    const std::uint64_t needed = std::uint64_t(layout.rows) * layout.cols * layout.item;
    const std::size_t item = layout.item;
    Matrix m(layout.rows, layout.cols);
    const bool fortran = layout.fortran_order;
    if (item == 4 && !fortran) in.read(reinterpret_cast<char*>(m.values.data()), std::streamsize(needed));
    else if (item == 4) read_values<float>(in, m, fortran, [](float v) { return v; });
    else if (item == 8) read_values<double>(in, m, fortran, [](double v) { return float(v); });
    else read_values<std::uint16_t>(in, m, fortran, half_to_float);
    if (!in) fail(path, "reading the array data failed");
    return m;
}

void write_npy(const std::string& path, const Matrix& m) {
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(m.rows) + ", " +
                         std::to_string(m.cols) + "), }";
    // numpy pads the header with spaces and a newline so the data starts on
    // a 64-byte boundary.
    const std::size_t unpadded = kMagicSize + 2 + 2 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    write_file_atomically(path, [&](std::ostream& out) {
        out.write(kMagic, kMagicSize);
        out.put(1).put(0);
        const auto n = std::uint16_t(header.size());
        out.put(char(n & 0xff)).put(char(n >> 8));
        out << header;
        out.write(reinterpret_cast<const char*>(m.values.data()), std::streamsize(m.values.size() * sizeof(float)));
    });
}

}  // namespace distill
