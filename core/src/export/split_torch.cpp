// The reference shuffled and split with lit-gpt's prepare scripts:
//
//     train_set, test_set = random_split(data, [1.0 - frac, frac],
//                                        generator=torch.Generator().manual_seed(seed))
//
// torch.utils.data.random_split with fractions does, in this order:
//   1. lengths = [floor(n * (1.0 - frac)), floor(n * frac)] in double
//      precision, as Python's int * float;
//   2. the remainder n - sum(lengths) (0, 1 or, by rounding, 2) is handed
//      out one by one, train first, then valid;
//   3. perm = torch.randperm(n, generator=g).tolist() with g a CPU
//      generator seeded with `seed` (mt19937, the same engine
//      torch.manual_seed seeds);
//   4. train = perm[:lengths[0]], valid = perm[lengths[0]:].
// With frac = 0 the training set is the whole permutation: the reference's
// "shuffled order". at::randperm below is the very kernel Python calls, so
// the permutation is PyTorch's bit for bit (test_export checks it against
// Debian's python3-torch).
#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "distill/error.h"
#include "distill/export.h"

namespace distill {

TrainValidSplit random_split(std::size_t n, double valid_fraction, std::uint64_t seed) {
    if (!(valid_fraction >= 0.0 && valid_fraction < 1.0))
        throw Error("valid fraction " + std::to_string(valid_fraction) +
                    " is out of range; pass a share of rows in [0, 1), e.g. 0.05");
    const double fractions[2] = {1.0 - valid_fraction, valid_fraction};
    std::size_t lengths[2];
    for (int i = 0; i < 2; ++i) lengths[i] = static_cast<std::size_t>(std::floor(double(n) * fractions[i]));
    for (std::size_t i = 0, remainder = n - lengths[0] - lengths[1]; i < remainder; ++i) ++lengths[i % 2];

    TrainValidSplit split;
    if (n == 0) return split;
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
    const at::Tensor perm = at::randperm(static_cast<std::int64_t>(n), generator, at::kLong);
    const auto* order = perm.data_ptr<std::int64_t>();
    split.train.assign(order, order + lengths[0]);
    split.valid.assign(order + lengths[0], order + n);
    return split;
}

}  // namespace distill
