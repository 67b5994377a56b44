// `distill communities`: clustering of an .npy of embeddings (exact
// community detection, approximate with --approximate, or k-means with
// --method kmeans), optionally with the cluster map's data, or a threshold
// sweep; `distill search`: top-k
// cosine search of queries against a corpus; `distill bench communities`
// and `distill bench search`. Outputs are JSON in the shapes of SPEC §9.
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "file_checks.h"
#include "distill/atomic_file.h"
#include "distill/cluster.h"
#include "distill/cluster_map.h"
#include "distill/cluster_methods.h"
#include "distill/corpus.h"
#include "distill/error.h"
#include "distill/npy.h"
#include "number_checks.h"
#include "pooled_corpus.h"
#include "terminal_progress.h"

namespace distill::cli {
namespace {

struct CommunitiesOptions {
    std::string embeddings;
    double threshold = 0.75;
    std::size_t min_size = 10;
    std::string output;
    std::string device = "auto";
    std::string method = "community";
    std::size_t k = 0;
    std::size_t iterations = KMeansOptions().iterations;
    std::uint64_t seed = 42;
    std::string sweep;
    std::string map;
    std::string questions;
    std::size_t sample = 0;
    ApproximateSearch approximate;
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

// "0.5:0.95:0.05" (first:last:step) or "0.6,0.7,0.8".
std::vector<double> parse_thresholds(const std::string& text) {
    const auto number = [&](const std::string& part) {
        std::size_t used = 0;
        double v = 0;
        try {
            v = std::stod(part, &used);
        } catch (const std::exception&) {
        }
        if (part.empty() || used != part.size())
            throw CLI::ValidationError("--sweep", "'" + text + "' is not FIRST:LAST:STEP (e.g. 0.5:0.95:0.05) or a "
                                                  "comma-separated list of thresholds");
        return v;
    };
    std::vector<std::string> parts;
    const char separator = text.find(':') != std::string::npos ? ':' : ',';
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, separator);) parts.push_back(part);
    if (separator == ':') {
        if (parts.size() != 3) number("");  // the same message
        return threshold_steps(number(parts[0]), number(parts[1]), number(parts[2]));
    }
    std::vector<double> list;
    for (const auto& part : parts) list.push_back(number(part));
    return list;
}

// The question text of every row, from the pooled corpus (`distill corpus`
// output) the embeddings were made from.
std::vector<std::string> read_questions(const std::string& path) {
    std::vector<std::string> questions;
    for_each_pooled_record("--questions", path, nullptr,
                           [&](Record&& record) { questions.push_back(record.at("question").get<std::string>()); });
    return questions;
}

// One line per community: the file stays readable and streams out without
// building a second copy of the lists in memory.
void write_communities(const std::string& path, const std::vector<Community>& communities) {
    write_file_atomically(path, [&](std::ostream& out) {
        out << '[';
        for (std::size_t c = 0; c < communities.size(); ++c) {
            out << (c ? ",\n[" : "\n[");
            const auto& members = communities[c];
            for (std::size_t i = 0; i < members.size(); ++i) out << (i ? "," : "") << members[i];
            out << ']';
        }
        out << (communities.empty() ? "]\n" : "\n]\n");
    });
}

void run_sweep(const CommunitiesOptions& o, const Matrix& x) {
    SweepOptions options;
    options.thresholds = parse_thresholds(o.sweep);
    options.min_size = o.min_size;
    options.compute.device = o.device;
    TerminalProgress progress;
    const auto start = std::chrono::steady_clock::now();
    const auto sweep = sweep_thresholds(x, options, &progress);
    progress.finish();
    std::printf("threshold  communities  covered  seeds   (min size %zu, %zu rows)\n", sweep.min_size, x.rows);
    for (const auto& r : sweep.rows)
        std::printf("%9g  %11zu  %7zu  %5zu\n", r.threshold, r.communities, r.covered, r.seeds);
    if (sweep.one_pass)
        std::fprintf(stderr, "%zu thresholds from one similarity pass (%zu neighbours kept) in %.2f s on %s\n",
                     sweep.rows.size(), sweep.kept_neighbours, seconds_since(start), sweep.device.c_str());
    else
        std::fprintf(stderr,
                     "the neighbour lists at the lowest threshold did not fit the member budget (%zu MiB): ran one "
                     "pass per threshold, %zu in %.2f s on %s\n",
                     options.member_budget_bytes >> 20, sweep.rows.size(), seconds_since(start), sweep.device.c_str());
    if (o.output.empty()) return;
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    for (const auto& r : sweep.rows)
        rows.push_back({{"threshold", r.threshold}, {"communities", r.communities}, {"covered", r.covered},
                        {"seeds", r.seeds}});
    const nlohmann::ordered_json doc = {
        {"rows", x.rows}, {"min_size", sweep.min_size}, {"one_pass", sweep.one_pass}, {"thresholds", rows}};
    write_file_atomically(o.output, [&](std::ostream& out) { out << doc.dump(2) << '\n'; });
}

void run_communities(const CommunitiesOptions& o) {
    check_files({{"--output", o.output}, {"--map", o.map}},
                {{"--embeddings", o.embeddings}, {"--questions", o.questions}});
    const Matrix x = read_npy(o.embeddings);
    if (o.approximate.enabled && (o.method != "community" || !o.sweep.empty()))
        throw CLI::ValidationError("--approximate", "applies to community detection only; leave out --method and "
                                                    "--sweep");
    if (!o.sweep.empty()) {
        if (o.method != "community" || !o.map.empty())
            throw CLI::ValidationError("--sweep", "sweeps community detection only; leave out --method and --map");
        return run_sweep(o, x);
    }
    if (o.output.empty()) throw CLI::RequiredError("--output");
    if (o.method == "kmeans" && o.k == 0) throw CLI::RequiredError("--k (with --method kmeans)");
    if (o.map.empty() && (!o.questions.empty() || o.sample > 0))
        throw CLI::ValidationError("--questions", "--questions and --sample describe the map: add --map MAP.json");

    ClusterOptions options;
    options.method = cluster_method_from_string(o.method);
    options.community.threshold = o.threshold;
    options.community.min_size = o.min_size;
    options.community.compute.device = o.device;
    options.community.approximate = o.approximate;
    options.kmeans.k = o.k;
    options.kmeans.iterations = o.iterations;
    options.kmeans.seed = o.seed;
    // Read before the clustering: a bad corpus fails in seconds, not after it.
    const auto questions = o.questions.empty() ? std::vector<std::string>() : read_questions(o.questions);
    if (!questions.empty() && questions.size() != x.rows)
        throw Error("--questions " + o.questions + " holds " + std::to_string(questions.size()) +
                    " questions for the " + std::to_string(x.rows) + " rows of --embeddings " + o.embeddings +
                    "; give the corpus the embeddings were made from, row for row");

    TerminalProgress progress;
    const auto start = std::chrono::steady_clock::now();
    const auto found = cluster_rows(x, options, &progress);
    progress.finish();
    const double seconds = seconds_since(start);
    // The map is built before either file is written: a map that fails (too
    // few rows, --questions of another corpus) leaves --output as it was.
    std::optional<ClusterMap> map;
    double map_seconds = 0;
    if (!o.map.empty()) {
        const auto sampled =
            o.sample > 0 ? sample_communities(found.clusters, o.sample, o.seed) : std::vector<Community>();
        MapOptions map_options;
        map_options.projection.device = o.device;
        const auto map_start = std::chrono::steady_clock::now();
        map = build_cluster_map(x, found.clusters, sampled, questions, map_options, &progress);
        progress.finish();
        map_seconds = seconds_since(map_start);
        map->clustering = {{"method", o.method}};
        if (options.method == ClusterMethod::KMeans)
            map->clustering.update({{"k", o.k}, {"iterations", o.iterations}, {"seed", o.seed}, {"spherical", true}});
        else
            map->clustering.update({{"threshold", o.threshold}, {"min_size", o.min_size}});
        if (found.approximation) map->clustering["approximation"] = to_json(*found.approximation);
        if (o.sample > 0) map->clustering.update({{"sample", o.sample}, {"sample_seed", o.seed}});
    }
    write_communities(o.output, found.clusters);
    std::size_t covered = 0;
    for (const auto& c : found.clusters) covered += c.size();
    char settings[128];
    if (options.method == ClusterMethod::KMeans)
        std::snprintf(settings, sizeof settings, "k-means, k %zu, seed %llu", o.k,
                      static_cast<unsigned long long>(o.seed));
    else
        std::snprintf(settings, sizeof settings, "threshold %g, min size %zu", o.threshold, o.min_size);
    std::fprintf(stderr, "%zu clusters covering %zu of %zu rows (%s) in %.2f s on %s; wrote %s\n",
                 found.clusters.size(), covered, x.rows, settings, seconds, found.device.c_str(),
                 o.output.c_str());
    if (found.approximation) std::fprintf(stderr, "%s\n", found.approximation->summary().c_str());
    if (!map) return;
    write_cluster_map(o.map, *map);
    std::fprintf(stderr, "map: PCA explains %.1f%% + %.1f%% of the variance%s; %.2f s; wrote %s\n",
                 100 * map->projection.explained_variance_ratio[0], 100 * map->projection.explained_variance_ratio[1],
                 questions.empty() ? " (no --questions: no keywords)" : "", map_seconds, o.map.c_str());
}

void run_search(const SearchCommandOptions& o) {
    check_files({{"--output", o.output}}, {{"--corpus", o.corpus}, {"--queries", o.queries}});
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

// --approximate, --nlist, --nprobe: the faiss IVF search of ApproximateSearch.
void approximate_options(CLI::App* sub, ApproximateSearch& approximate) {
    auto* flag = sub->add_flag("--approximate", approximate.enabled,
                  "Approximate community detection: each row's neighbours come from a faiss IVF index (the "
                  "--nprobe inverted lists nearest to it) instead of from all rows; far faster on large corpora. "
                  "Prints the neighbour recall against the exact result, measured on 1000 sampled rows");
    sub->add_option("--nlist", approximate.nlist, "With --approximate: inverted lists; 0 is about 4 * sqrt(rows)")
        ->check(whole_number<std::size_t>(0))
        ->capture_default_str()
        ->needs(flag);
    sub->add_option("--nprobe", approximate.nprobe,
                    "With --approximate: lists searched per row, 1 or more; more is slower and closer to exact "
                    "(nprobe = nlist is exact)")
        ->check(whole_number<std::size_t>(1))
        ->capture_default_str()
        ->needs(flag);
}

void add_communities_command(CLI::App& app) {
    auto c = std::make_shared<CommunitiesOptions>();
    auto* sub = app.add_subcommand(
        "communities", "Clustering of embeddings: community detection (fast clustering) exactly as "
                       "sentence-transformers' util.community_detection, or k-means (--method kmeans); "
                       "optionally the cluster map's data (--map) or a threshold sweep (--sweep)");
    sub->add_option("--embeddings", c->embeddings, "float32 .npy, one row per question")
        ->required()
        ->check(CLI::ExistingFile);
    sub->add_option("--threshold", c->threshold, "Cosine threshold, in [-1, 1]")->capture_default_str();
    sub->add_option("--min-size", c->min_size, "Minimum community size, 1 or more")
        ->check(whole_number<std::size_t>(1))
        ->capture_default_str();
    sub->add_option("--output", c->output,
                    "JSON array of arrays of row ids, largest first (community: the reference's order). "
                    "Required, except with --sweep, where it is where the table goes as JSON");
    device_option(sub, c->device);
    sub->add_option("--method", c->method,
                    "community, or kmeans: spherical (cosine) k-means by faiss, every row in a cluster, "
                    "members by descending cosine to the centroid; --threshold and --min-size do not apply")
        ->check(CLI::IsMember({"community", "kmeans"}))
        ->capture_default_str();
    sub->add_option("--k", c->k, "Clusters for --method kmeans (1 to the number of rows)")
        ->check(whole_number<std::size_t>(1));
    sub->add_option("--iterations", c->iterations, "k-means iterations")
        ->check(whole_number<std::size_t>(1))
        ->capture_default_str();
    sub->add_option("--seed", c->seed, "Seed of k-means' initial centroids and of --sample's draw")
        ->check(whole_number<std::uint64_t>(0))
        ->capture_default_str();
    sub->add_option("--sweep", c->sweep,
                    "Thresholds FIRST:LAST:STEP (e.g. 0.5:0.95:0.05) or a list 0.6,0.7: print the number of "
                    "communities and of covered rows at each, at --min-size, from one similarity pass");
    sub->add_option("--map", c->map,
                    "Also write the cluster map's JSON: a 2-D PCA of every row and, per cluster, its size, "
                    "centre (2-D and full), members, sampled members and keywords (c-TF-IDF); the format is "
                    "documented in core/include/distill/cluster_map.h");
    sub->add_option("--questions", c->questions,
                    "For --map keywords: the pooled corpus JSONL the embeddings were made from (`distill corpus` "
                    "output; its \"question\" field, row for row)")
        ->check(CLI::ExistingFile);
    sub->add_option("--sample", c->sample, "For --map: draw this many questions (SPEC §3 sampling) and mark them")
        ->check(whole_number<std::size_t>(1));
    approximate_options(sub, c->approximate);
    sub->callback([c] { run_communities(*c); });
}

void add_search_command(CLI::App& app) {
    auto s = std::make_shared<SearchCommandOptions>();
    auto* sub = app.add_subcommand("search", "Top-k cosine search of queries against a corpus "
                                             "(util.semantic_search)");
    sub->add_option("--corpus", s->corpus, "float32 .npy, one row per corpus question")
        ->required()
        ->check(CLI::ExistingFile);
    sub->add_option("--queries", s->queries, "float32 .npy, one row per query, same dimensions")
        ->required()
        ->check(CLI::ExistingFile);
    sub->add_option("--top-k", s->top_k, "Hits per query")->required()->check(whole_number<std::size_t>(1));
    sub->add_option("--output", s->output, "JSON array per query of {corpus_id, score}, best first")->required();
    device_option(sub, s->device);
    sub->callback([s] { run_search(*s); });
}

void add_bench_commands(CLI::App& bench) {
    auto c = std::make_shared<CommunityBenchOptions>();
    auto* communities = bench.add_subcommand(
        "communities", "Seconds for community detection on synthetic clustered unit vectors, next to a plain "
                       "matmul of the same size (with --approximate: its recall, next to the exact detection)");
    communities->add_option("--rows", c->rows, "Rows")->check(whole_number<std::size_t>(2))->capture_default_str();
    communities->add_option("--dim", c->dim, "Dimensions")->check(whole_number<std::size_t>(1))->capture_default_str();
    communities->add_option("--threshold", c->detect.threshold, "Cosine threshold")->capture_default_str();
    communities->add_option("--min-size", c->detect.min_size, "Minimum community size")
        ->check(whole_number<std::size_t>(1))
        ->capture_default_str();
    communities->add_option("--seed", c->seed, "Seed of the synthetic data")
        ->check(whole_number<std::uint64_t>(0))
        ->capture_default_str();
    communities->add_flag("!--no-baseline", c->baseline,
                          "Skip the baseline: the full matmul, or with --approximate the exact detection");
    device_option(communities, c->detect.compute.device);
    approximate_options(communities, c->detect.approximate);
    communities->callback([c] {
        TerminalProgress progress;
        const auto r = bench_communities(*c, &progress);
        progress.finish();
        std::printf("%s\n", r.summary().c_str());
    });

    auto s = std::make_shared<SearchBenchOptions>();
    auto* search = bench.add_subcommand(
        "search", "Seconds for top-k search of corpus rows against their synthetic corpus, own row excluded");
    search->add_option("--corpus-rows", s->corpus_rows, "Corpus rows")
        ->check(whole_number<std::size_t>(1))
        ->capture_default_str();
    search->add_option("--queries", s->queries, "Queries (taken from the corpus)")
        ->check(whole_number<std::size_t>(1))
        ->capture_default_str();
    search->add_option("--dim", s->dim, "Dimensions")->check(whole_number<std::size_t>(1))->capture_default_str();
    search->add_option("--top-k", s->top_k, "Hits per query")->check(whole_number<std::size_t>(1))->capture_default_str();
    search->add_option("--seed", s->seed, "Seed of the synthetic data")
        ->check(whole_number<std::uint64_t>(0))
        ->capture_default_str();
    device_option(search, s->compute.device);
    search->callback([s] {
        TerminalProgress progress;
        const auto r = bench_search(*s, &progress);
        progress.finish();
        std::printf("%s\n", r.summary().c_str());
    });
}

}  // namespace

void add_cluster_commands(CLI::App& app) {
    add_communities_command(app);
    add_search_command(app);
    add_bench_commands(*bench_group(app));
}

}  // namespace distill::cli
