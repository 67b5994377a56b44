// SPEC §3 sampling: how many questions each community gives, and which.
#include <algorithm>
#include <random>

#include "distill/cluster.h"
#include "distill/error.h"

namespace distill {
namespace {

// A uniform integer in [0, range), range >= 1: Lemire's multiply-shift with
// rejection ("Fast random integer generation in an interval", 2019). Written
// out rather than std::uniform_int_distribution, whose algorithm differs
// between standard libraries: a seed must name one sample everywhere.
std::uint64_t uniform_below(std::uint64_t range, std::mt19937_64& rng) {
    unsigned __int128 product = static_cast<unsigned __int128>(rng()) * range;
    auto low = static_cast<std::uint64_t>(product);
    if (low < range) {
        const std::uint64_t reject_below = (0 - range) % range;
        while (low < reject_below) {
            product = static_cast<unsigned __int128>(rng()) * range;
            low = static_cast<std::uint64_t>(product);
        }
    }
    return static_cast<std::uint64_t>(product >> 64);
}

}  // namespace

std::vector<std::size_t> sample_counts(const std::vector<Community>& communities, std::size_t n) {
    if (n == 0) throw Error("a sample of 0 questions is empty; ask for 1 or more");
    std::vector<std::size_t> counts(communities.size(), 1);
    if (n < communities.size()) return counts;
    std::size_t total = 0;
    for (const auto& c : communities) total += c.size();
    if (total == 0) return std::vector<std::size_t>(communities.size(), 0);
    for (std::size_t i = 0; i < communities.size(); ++i) {
        const std::size_t size = communities[i].size();
        const auto share = static_cast<std::size_t>(static_cast<unsigned __int128>(size) * n / total);
        counts[i] = std::min(size, std::max<std::size_t>(1, share));
    }
    return counts;
}

std::vector<Community> sample_communities(const std::vector<Community>& communities, std::size_t n,
                                          std::uint64_t seed) {
    const auto counts = sample_counts(communities, n);
    std::mt19937_64 rng(seed);
    std::vector<Community> samples;
    samples.reserve(communities.size());
    for (std::size_t c = 0; c < communities.size(); ++c) {
        Community pool = communities[c];
        const std::size_t take = std::min(counts[c], pool.size());
        for (std::size_t i = 0; i < take; ++i)
            std::swap(pool[i], pool[i + uniform_below(pool.size() - i, rng)]);
        pool.resize(take);
        samples.push_back(std::move(pool));
    }
    return samples;
}

}  // namespace distill
