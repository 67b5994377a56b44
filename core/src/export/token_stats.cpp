#include <algorithm>
#include <numeric>

#include "distill/export.h"

namespace distill {

TokenLengthStats token_length_stats(std::vector<std::size_t> lengths, std::size_t max_seq_len,
                                    std::size_t bin_count) {
    TokenLengthStats s;
    s.max_seq_len = max_seq_len;
    s.count = lengths.size();
    const std::size_t longest = lengths.empty() ? 0 : *std::max_element(lengths.begin(), lengths.end());
    const std::size_t upper = std::max(max_seq_len, longest);
    bin_count = std::max<std::size_t>(bin_count, 1);
    s.bin_width = std::max<std::size_t>(1, (upper + bin_count) / bin_count);  // ceil((upper + 1) / bin_count)
    s.bins.assign((upper / s.bin_width) + 1, 0);
    if (lengths.empty()) return s;

    std::sort(lengths.begin(), lengths.end());
    s.min = lengths.front();
    s.max = lengths.back();
    s.mean = double(std::accumulate(lengths.begin(), lengths.end(), std::uint64_t(0))) / double(lengths.size());
    const auto nearest_rank = [&](std::size_t percent) {
        const std::size_t rank = (percent * lengths.size() + 99) / 100;  // ceil(p/100 * n), >= 1
        return lengths[rank - 1];
    };
    s.p50 = nearest_rank(50);
    s.p90 = nearest_rank(90);
    s.p95 = nearest_rank(95);
    s.p99 = nearest_rank(99);
    for (const std::size_t length : lengths) {
        ++s.bins[length / s.bin_width];
        if (length > max_seq_len) ++s.over_max_seq_len;
    }
    return s;
}

nlohmann::ordered_json to_json(const TokenLengthStats& s) {
    return {{"count", s.count},         {"min", s.min},
            {"max", s.max},             {"mean", s.mean},
            {"p50", s.p50},             {"p90", s.p90},
            {"p95", s.p95},             {"p99", s.p99},
            {"max_seq_len", s.max_seq_len}, {"over_max_seq_len", s.over_max_seq_len},
            {"bin_width", s.bin_width}, {"bins", s.bins}};
}

}  // namespace distill
