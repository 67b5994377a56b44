// PCA for the cluster map. The covariance is dims x dims (768 x 768 for
// MPNet), so its exact eigendecomposition costs nothing next to reading
// the rows; the rows are streamed in blocks (three passes: mean,
// covariance, projection), so memory stays one block on the device plus the
// output, however large the corpus.
#include <ATen/ATen.h>

#include <algorithm>

#include "cluster/input_checks.h"
#include "cluster/torch_support.h"
#include "distill/cluster_map.h"
#include "distill/error.h"

namespace distill {
namespace {

constexpr std::size_t kBlockRows = 65536;

}  // namespace

Projection pca_projection(const Matrix& embeddings, const PcaOptions& options, ProgressSink* progress) {
    cluster::check_embeddings(embeddings, "embeddings");
    const std::size_t n = embeddings.rows, d = embeddings.cols;
    if (n < 2) throw Error("PCA needs at least 2 rows; there is " + std::to_string(n));
    if (options.components < 1 || options.components > d)
        throw Error("PCA with " + std::to_string(options.components) + " components of " + std::to_string(d) +
                    "-dimensional rows; use 1 to " + std::to_string(d));
    const at::Device device = cluster::pick_device(options.device);
    const auto blocks = (n + kBlockRows - 1) / kBlockRows;
    std::uint64_t done = 0;
    const auto block = [&](std::size_t b) {
        throw_if_cancelled(progress);
        if (progress) progress->update("map: projection", done++, 3 * blocks);
        const std::size_t r0 = b * kBlockRows, r = std::min(kBlockRows, n - r0);
        const auto rows = at::from_blob(const_cast<float*>(embeddings.row(r0).data()),
                                  {static_cast<std::int64_t>(r), static_cast<std::int64_t>(d)}, at::kFloat)
                        .to(device);
        return options.unit_rows ? cluster::normalised_rows(rows) : rows;
    };
    const auto f64 = at::TensorOptions().dtype(at::kDouble).device(device);

    auto sum = at::zeros({static_cast<std::int64_t>(d)}, f64);
    for (std::size_t b = 0; b < blocks; ++b) sum += block(b).sum(0, /*keepdim=*/false, at::kDouble);
    const auto mean = (sum / static_cast<double>(n)).to(at::kFloat);
    // Products in float32 (BLAS speed), sums of the blocks in float64.
    auto covariance = at::zeros({static_cast<std::int64_t>(d), static_cast<std::int64_t>(d)}, f64);
    for (std::size_t b = 0; b < blocks; ++b) {
        const auto centred = block(b) - mean;
        covariance += at::mm(centred.t(), centred).to(at::kDouble);
    }
    covariance /= static_cast<double>(n - 1);
    // eigh: ascending eigenvalues, orthonormal eigenvectors in the columns.
    const auto [values, vectors] = at::linalg_eigh(covariance);
    const auto k = static_cast<std::int64_t>(options.components);
    const auto top = vectors.narrow(1, static_cast<std::int64_t>(d) - k, k).flip({1});  // d x k, strongest first
    const auto largest = top.abs().argmax(0, /*keepdim=*/true);
    const auto axes = (top * at::where(top.gather(0, largest) < 0, -1.0, 1.0)).to(at::kFloat);

    Projection p;
    p.device = device.is_cuda() ? "cuda" : "cpu";
    p.points = Matrix(n, options.components);
    for (std::size_t b = 0; b < blocks; ++b) {
        const auto coords = at::mm(block(b) - mean, axes).to(at::kCPU).contiguous();
        std::copy_n(coords.data_ptr<float>(), coords.numel(), p.points.row(b * kBlockRows).data());
    }
    if (progress) progress->update("map: projection", done, 3 * blocks);

    const auto axes_host = axes.t().contiguous().to(at::kCPU);
    p.components = Matrix(options.components, d);
    std::copy_n(axes_host.data_ptr<float>(), axes_host.numel(), p.components.values.data());
    const auto mean_host = mean.to(at::kCPU).contiguous();
    p.mean.assign(mean_host.data_ptr<float>(), mean_host.data_ptr<float>() + d);
    const auto strongest = values.flip({0}).narrow(0, 0, k).to(at::kCPU).contiguous();
    const double total = values.clamp_min(0).sum().item<double>();
    for (std::int64_t i = 0; i < k; ++i)
        p.explained_variance_ratio.push_back(total > 0 ? std::max(0.0, strongest.data_ptr<double>()[i]) / total : 0.0);
    return p;
}

}  // namespace distill
