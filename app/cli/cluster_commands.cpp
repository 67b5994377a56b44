// `distill communities`: community detection (fast clustering) on an .npy
// of embeddings; `distill search`: top-k cosine search of queries against a
// corpus. Both write JSON in the shapes of SPEC §9.
#include <chrono>
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "distill/atomic_file.h"
#include "distill/cluster.h"
#include "distill/npy.h"
#include "terminal_progress.h"

namespace distill::cli {
namespace {

struct CommunitiesOptions {
    std::string embeddings;
    double threshold = 0.75;
    std::size_t min_size = 10;
    std::string output;
    std::string device = "auto";
};

struct SearchCommandOptions {
    std::string corpus;
    std::string queries;
    std::size_t top_k = 10;
    std::string output;
    std::string device = "auto";
};

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void run_communities(const CommunitiesOptions& o) {
    const Matrix x = read_npy(o.embeddings);
    CommunityOptions options;
    options.threshold = o.threshold;
    options.min_size = o.min_size;
    options.compute.device = o.device;

    TerminalProgress progress;
    const auto start = std::chrono::steady_clock::now();
    const auto result = detect_communities(x, options, &progress);
    progress.finish();
    const double seconds = seconds_since(start);

    // One line per community: the file stays readable and streams out
    // without building a second copy of the lists in memory.
    std::size_t covered = 0;
    write_file_atomically(o.output, [&](std::ostream& out) {
        out << '[';
        for (std::size_t c = 0; c < result.communities.size(); ++c) {
            out << (c ? ",\n[" : "\n[");
            const auto& members = result.communities[c];
            for (std::size_t i = 0; i < members.size(); ++i) out << (i ? "," : "") << members[i];
            out << ']';
            covered += members.size();
        }
        out << (result.communities.empty() ? "]\n" : "\n]\n");
    });
    std::fprintf(stderr,
                 "%zu communities covering %zu of %zu rows (threshold %g, min size %zu; %zu seeds) in %.2f s on %s; "
                 "wrote %s\n",
                 result.communities.size(), covered, x.rows, o.threshold, o.min_size, result.seeds, seconds,
                 result.device.c_str(), o.output.c_str());
}

void run_search(const SearchCommandOptions& o) {
    const Matrix corpus = read_npy(o.corpus);
    const Matrix queries = read_npy(o.queries);
    SearchOptions options;
    options.top_k = o.top_k;
    options.compute.device = o.device;

    TerminalProgress progress;
    const auto start = std::chrono::steady_clock::now();
    const auto hits = semantic_search(corpus, queries, options, &progress);
    progress.finish();
    const double seconds = seconds_since(start);

    write_file_atomically(o.output, [&](std::ostream& out) {
        out << '[';
        for (std::size_t q = 0; q < hits.size(); ++q) {
            nlohmann::ordered_json list = nlohmann::ordered_json::array();
            for (const auto& h : hits[q])
                list.push_back({{"corpus_id", h.corpus_id}, {"score", static_cast<double>(h.score)}});
            out << (q ? ",\n" : "\n") << list.dump();
        }
        out << (hits.empty() ? "]\n" : "\n]\n");
    });
    std::fprintf(stderr, "top-%zu of %zu corpus rows for %zu queries in %.2f s; wrote %s\n", o.top_k, corpus.rows,
                 queries.rows, seconds, o.output.c_str());
}

void device_option(CLI::App* sub, std::string& device) {
    sub->add_option("--device", device, "auto (CUDA when available), cpu or cuda")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
        ->capture_default_str();
}

}  // namespace

void add_cluster_commands(CLI::App& app) {
    auto c = std::make_shared<CommunitiesOptions>();
    auto* communities = app.add_subcommand(
        "communities", "Community detection (fast clustering) on embeddings, exactly as sentence-transformers' "
                       "util.community_detection");
    communities->add_option("--embeddings", c->embeddings, "float32 .npy, one row per question")
        ->required()
        ->check(CLI::ExistingFile);
    communities->add_option("--threshold", c->threshold, "Cosine threshold, in [-1, 1]")->capture_default_str();
    communities->add_option("--min-size", c->min_size, "Minimum community size, 1 or more")->capture_default_str();
    communities->add_option("--output", c->output, "JSON array of arrays of row ids, in the reference's order")
        ->required();
    device_option(communities, c->device);
    communities->callback([c] { run_communities(*c); });

    auto s = std::make_shared<SearchCommandOptions>();
    auto* search = app.add_subcommand("search", "Top-k cosine search of queries against a corpus "
                                                "(util.semantic_search)");
    search->add_option("--corpus", s->corpus, "float32 .npy, one row per corpus question")
        ->required()
        ->check(CLI::ExistingFile);
    search->add_option("--queries", s->queries, "float32 .npy, one row per query, same dimensions")
        ->required()
        ->check(CLI::ExistingFile);
    search->add_option("--top-k", s->top_k, "Hits per query")->required();
    search->add_option("--output", s->output, "JSON array per query of {corpus_id, score}, best first")->required();
    device_option(search, s->device);
    search->callback([s] { run_search(*s); });
}

}  // namespace distill::cli
