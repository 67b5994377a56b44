// The pipeline runner: each stage is a function of the previous stage's
// output and its own settings, keyed and cached through StageCache (see
// distill/pipeline.h for the caching contract).
#include "distill/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "distill/atomic_file.h"
#include "distill/cluster.h"
#include "distill/cluster_map.h"
#include "distill/cluster_methods.h"
#include "distill/compute_info.h"
#include "distill/content_hash.h"
#include "distill/corpus.h"
#include "distill/embedder.h"
#include "distill/error.h"
#include "distill/export.h"
#include "distill/fewshot.h"
#include "distill/format.h"
#include "distill/llm_tokenizer.h"
#include "io/parallel_for.h"
#include "pipeline/stage_cache.h"

namespace distill {
namespace {
using nlohmann::ordered_json;
using pipeline::StageCache;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kStages = {"corpus", "embed", "cluster", "sample", "map", "fewshot", "format", "export"};

std::size_t stage_index(const std::string& stage) {
    for (std::size_t i = 0; i < kStages.size(); ++i)
        if (kStages[i] == stage) return i;
    throw std::logic_error("unknown pipeline stage " + stage);
}

// Forwards a stage's progress to the observer under "[i/n] stage" and tells
// it when the stage starts and ends.
class StageReporter {
public:
    StageReporter(PipelineObserver* observer, PipelineResult& result) : observer_(observer), result_(result) {}

    void start(const std::string& stage) {
        stage_ = stage;
        started_ = Clock::now();
        if (observer_) observer_->stage_event({StageEvent::Started, stage, stage_index(stage), 0, ""});
        throw_if_cancelled(observer_);
    }
    void end(bool cached, const std::string& summary) {
        const double seconds = std::chrono::duration<double>(Clock::now() - started_).count();
        StageEvent event{cached ? StageEvent::Cached : StageEvent::Finished, stage_, stage_index(stage_), seconds,
                         summary};
        result_.stages.push_back(event);
        if (observer_) observer_->stage_event(event);
    }
    ProgressSink* progress() { return observer_; }

private:
    PipelineObserver* observer_;
    PipelineResult& result_;
    std::string stage_;
    Clock::time_point started_;
};

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

ordered_json read_json(const std::string& path) {
    try {
        return ordered_json::parse(read_text(path));
    } catch (const nlohmann::json::exception& e) {
        // Only our own cached outputs are read back; a damaged one is rebuilt.
        throw Error(path + ": a cached stage output is damaged (" + e.what() + "); delete it and run again");
    }
}

void write_json(const std::string& path, const ordered_json& j) {
    write_file_atomically(path, [&](std::ostream& out) { out << j.dump(1) << '\n'; });
}

// Communities (and samples) as JSON: one array of row ids per community.
ordered_json communities_json(const std::vector<Community>& communities) {
    ordered_json out = ordered_json::array();
    for (const auto& c : communities) out.push_back(c);
    return out;
}

std::vector<Community> communities_from_json(const ordered_json& j) {
    std::vector<Community> out;
    for (const auto& c : j) out.push_back(c.get<Community>());
    return out;
}

// The search's picks, before any edit: [[origin, [row, score], ...], ...].
// A float's score goes through JSON's double and back unchanged.
ordered_json picks_json(const std::vector<FewShot>& picks) {
    ordered_json out = ordered_json::array();
    for (const auto& pick : picks) {
        ordered_json line = ordered_json::array({pick.origin});
        for (const auto& shot : pick.shots) line.push_back({shot.row, shot.score});
        out.push_back(std::move(line));
    }
    return out;
}

// The picks as picks_json wrote them; the stage cache has checked that the
// file is the one written under this key.
std::vector<FewShot> picks_from_json(const ordered_json& j) {
    std::vector<FewShot> picks;
    picks.reserve(j.size());
    for (const ordered_json& line : j) {
        FewShot pick{line.at(0).get<RowId>(), {}};
        for (std::size_t s = 1; s < line.size(); ++s)
            pick.shots.push_back({line[s].at(0).get<RowId>(), line[s].at(1).get<float>()});
        picks.push_back(std::move(pick));
    }
    return picks;
}

std::size_t members(const std::vector<Community>& communities) {
    std::size_t n = 0;
    for (const auto& c : communities) n += c.size();
    return n;
}

// "1 community", "38 communities", "2 rows".
std::string plural(std::size_t n, std::string word) {
    if (n != 1) word = word.ends_with('y') ? word.substr(0, word.size() - 1) + "ies" : word + "s";
    return std::to_string(n) + " " + word;
}

// ", neighbour recall 0.9984" for the cluster stage's summary.
std::string recall_of(const std::optional<ApproximationReport>& approximation) {
    if (!approximation) return "";
    if (approximation->sampled.empty()) return ", recall not measured";
    char line[48];
    std::snprintf(line, sizeof line, ", neighbour recall %.4f", approximation->recall());
    return line;
}

// A ClusterOptions from the project's settings.
ClusterOptions cluster_options_of(const PipelineSettings& settings) {
    ClusterOptions options;
    options.method = cluster_method_from_string(settings.clustering);
    options.community.threshold = settings.threshold;
    options.community.min_size = settings.min_community_size;
    options.community.compute.device = settings.embed.device;
    options.community.approximate.enabled = settings.approximate;
    options.kmeans.k = settings.kmeans_k;
    options.kmeans.seed = settings.seed;
    return options;
}

// The clustering as set: the chosen method's settings only, so settings of
// the other method never re-cluster.
ordered_json cluster_settings_of(const PipelineSettings& settings, const ClusterOptions& options, bool approximate) {
    ordered_json out = options.method == ClusterMethod::Community
                           ? ordered_json{{"method", "community"},
                                          {"threshold", settings.threshold},
                                          {"min_community_size", settings.min_community_size}}
                           : ordered_json{{"method", "kmeans"}, {"k", settings.kmeans_k}, {"seed", settings.seed}};
    if (approximate) {
        const auto& a = options.community.approximate;
        out["approximate"] = {{"nlist", a.nlist}, {"nprobe", a.nprobe}, {"seed", a.seed}};
    }
    return out;
}

// Every pooled record must be one the preset can format: a source mapped for
// another domain, a column too many for gsm8k's exact rule or a template
// naming a field some source lacks would otherwise fail in the format stage,
// after the embedding, clustering and search it wasted (minutes at 700k).
void check_preset_fits(const Corpus& corpus, const std::vector<SourceSpec>& sources, const PromptPreset& preset) {
    const PresetFieldCheck check(preset);
    // A few microseconds a record, seconds at 700k: on every core, which is
    // safe because the check, like the formatter, shares nothing mutable.
    const std::size_t n = corpus.records.size();
    std::vector<char> misfit(n, 0);
    parallel_for(n, thread_count(0), [&](std::size_t i) { misfit[i] = !check.problem(corpus.records[i]).empty(); });
    const auto first = std::find(misfit.begin(), misfit.end(), 1);
    if (first == misfit.end()) return;
    const std::size_t row = std::size_t(first - misfit.begin());
    const std::uint32_t s = corpus.source_of[row];
    std::size_t records = 0, misfits = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (corpus.source_of[i] == s) ++records, misfits += misfit[i];
    throw Error(sources[s].path + ": " + std::to_string(misfits) + " of the " + std::to_string(records) +
                " records of source '" + sources[s].name + "' cannot be formatted with the " + preset.name +
                " preset (checked before embedding); the first " + check.problem(corpus.records[row]));
}

// What needs the corpus's size, checked before the embedding it would waste.
void check_settings_fit(const Project& project, std::size_t records) {
    // The map projects onto 2 principal components; one point has none.
    if (records < 2)
        throw Error("project '" + project.name + "': its sources pool to " + plural(records, "record") +
                    "; clustering and the cluster map need at least 2 (add records or sources)");
    const PipelineSettings& s = project.pipeline;
    if (s.clustering == "kmeans" && s.kmeans_k > records)
        throw Error("project '" + project.name + "': pipeline.kmeans_k is " + std::to_string(s.kmeans_k) +
                    " but the sources pool to " + plural(records, "record") +
                    "; each k-means cluster needs one, so use a kmeans_k of at most " + std::to_string(records));
}

// One run: the stages in order, each a member that reads what the earlier
// ones left here and leaves what the later ones need. A stage starts on the
// reporter, keys its outputs, loads them when fresh or else begins, computes,
// writes and commits them, ends with a one-line summary and lists its files.
struct PipelineRun {
    PipelineRun(const Project& project, const StageCache& cache, PipelineObserver* observer, PipelineResult& result,
                const PromptPreset& preset, const SentencePieceTokenizer& tokenizer, std::string tokenizer_hash,
                bool load_only)
        : project(project), settings(project.pipeline), cache(cache), stage(observer, result), result(result),
          preset(preset), tokenizer(tokenizer), tokenizer_hash(std::move(tokenizer_hash)), load_only(load_only) {}

    const Project& project;
    const PipelineSettings& settings;
    const StageCache& cache;
    StageReporter stage;
    PipelineResult& result;
    const PromptPreset& preset;
    const SentencePieceTokenizer& tokenizer;
    const std::string tokenizer_hash;
    // load_last_run: a stage that is not fresh ends the run instead of running.
    const bool load_only;

    // What the stages pass down.
    std::string corpus_key, embed_key, cluster_key, sample_key, fewshot_key, format_key;
    Corpus corpus;
    std::vector<std::string> questions;
    std::unique_ptr<Embedder> embedder;
    Matrix embeddings;  // through vectors()
    std::vector<Community> communities, sample;
    ordered_json clustering_record;  // the clustering as set and, when approximate, its recall
    std::vector<RowId> origins;      // the sampled rows, community after community
    std::string fewshot_file, raw_file;

    // The embed stage's vectors, read from the embedding cache when a stage
    // first needs them. embed_cached checks them against their record: an
    // entry whose values it no longer vouches for (a disk fault or a hand
    // edit; writes are atomic) is embedded again here, under this stage.
    const Matrix& vectors() {
        if (embeddings.rows == 0 && !questions.empty())
            embeddings = embed_cached(*embedder, questions, cache.cache_path("embeddings"), stage.progress());
        return embeddings;
    }

    void corpus_stage();
    void embed_stage();
    void cluster_stage();
    void sample_stage();
    void map_stage();
    void fewshot_stage();
    void format_stage();
    void export_stage();

    // Called by a stage whose outputs are not fresh, before it computes them:
    // forgets its key (see StageCache), or in load_only mode ends the load.
    void recompute(const std::string& stage_name) const {
        if (load_only) throw LastRunOutdated(cache.output_dir(), stage_name);
        cache.begin(stage_name);
    }
};

// corpus: re-read every run (one streaming pass, seconds even for 700k
// records); its key is the content of what it produced.
void PipelineRun::corpus_stage() {
    stage.start("corpus");
    if (project.sources.empty())
        throw Error("project '" + project.name + "' has no sources; add some in Distill Studio or the project file");
    const std::vector<SourceSpec> sources = project.resolved_sources();
    corpus = pool_sources(sources, project.on_bad_line, stage.progress());
    check_preset_fits(corpus, sources, preset);
    questions.reserve(corpus.records.size());
    ContentHasher corpus_hash;
    for (const auto& record : corpus.records) {
        questions.push_back(record["question"].get<std::string>());
        corpus_hash.add(record.dump());
    }
    corpus_key = corpus_hash.hex();
    // The report is the stage's one output. A load only checks that it is
    // this pooling's (the export's key holds it too, for a run).
    const ordered_json report = to_json(corpus.report, corpus.records.size());
    if (!load_only)
        write_json(cache.path("corpus_report.json"), report);
    else if (const auto kept = ordered_json::parse(read_text(cache.path("corpus_report.json")), nullptr, false);
             // A missing or damaged report parses as discarded, which
             // nlohmann compares neither equal nor unequal to anything.
             kept.is_discarded() || kept != report)
        throw LastRunOutdated(cache.output_dir(), "corpus");
    result.corpus_records = corpus.records.size();
    stage.end(false, plural(corpus.records.size(), "record") + " from " + plural(project.sources.size(), "source") +
                         ", " + std::to_string(corpus.report.duplicates_replaced) + " duplicates replaced, " +
                         std::to_string(corpus.report.skipped()) + " lines skipped");
    result.files.push_back("corpus_report.json");
}

// embed: keyed by the embedder's identity (model files' contents and
// settings) and the exact question list.
void PipelineRun::embed_stage() {
    stage.start("embed");
    std::string embedder_spec = settings.embedder;
    if (embedder_spec != "hashing") {
        const bool npy = embedder_spec.rfind("npy:", 0) == 0;
        embedder_spec = (npy ? "npy:" : "") + project.resolve(npy ? embedder_spec.substr(4) : embedder_spec);
    }
    embedder = make_embedder(embedder_spec, settings.embed);
    // The embedding cache keeps one entry per (model, question list), so
    // switching back to an earlier model or source set is a hit too. A hit
    // checks only that the vectors are there: they are read when a later
    // stage first needs them (vectors()), so a run whose later stages are
    // all cached, and every load, reads none of them (2 GB at 700k).
    bool cached = false;
    std::size_t dimensions = 0;
    if (const auto kept = find_cached_embeddings(*embedder, questions, cache.cache_path("embeddings"))) {
        cached = true;
        result.embeddings_file = kept->npy;
        dimensions = kept->cols;
    } else {
        if (load_only) throw LastRunOutdated(cache.output_dir(), "embed");
        embeddings = embed_cached(*embedder, questions, cache.cache_path("embeddings"), stage.progress(), nullptr,
                                  &result.embeddings_file);
        dimensions = embeddings.cols;
    }
    ContentHasher embed_hash;
    embed_hash.add(embedder->identity());
    for (const auto& q : questions) embed_hash.add(q);
    embed_key = embed_hash.hex();
    stage.end(cached, plural(questions.size(), "vector") + " of " + std::to_string(dimensions) + " dimensions (" +
                          settings.embedder + ")");
}

// cluster: keyed by the embeddings and the clustering as set. The "no
// communities" error comes after the commit: that outcome is cached too.
void PipelineRun::cluster_stage() {
    stage.start("cluster");
    const ClusterOptions options = cluster_options_of(settings);
    const bool approximate = options.method == ClusterMethod::Community && settings.approximate;
    const ordered_json cluster_settings = cluster_settings_of(settings, options, approximate);
    cluster_key = ContentHasher().add(embed_key).add(cluster_settings.dump()).hex();
    // Approximate detection's recall is part of its result: kept beside the
    // communities so a cached stage and the manifest still report it.
    std::optional<ApproximationReport> approximation;
    std::vector<std::string> files = {"communities.json"};
    if (approximate) files.push_back("approximation.json");
    const bool cached = cache.fresh("cluster", cluster_key, files);
    if (cached) {
        communities = communities_from_json(read_json(cache.path("communities.json")));
        if (approximate)
            approximation = approximation_report_from_json(read_json(cache.path("approximation.json")),
                                                           cache.path("approximation.json"));
    } else {
        recompute("cluster");
        std::error_code ignored;  // absent unless an earlier run was approximate
        std::filesystem::remove(cache.path("approximation.json"), ignored);
        auto clusters = cluster_rows(vectors(), options, stage.progress());
        communities = std::move(clusters.clusters);
        approximation = std::move(clusters.approximation);
        write_json(cache.path("communities.json"), communities_json(communities));
        if (approximation) {
            ordered_json kept = to_json(*approximation);
            kept["sampled_rows"] = approximation->sampled;  // what approximation_report_from_json reads back
            write_json(cache.path("approximation.json"), kept);
        }
        cache.commit("cluster", cluster_key, files);
    }
    // The clustering as set, and how close approximate detection came: what
    // the cluster map and the manifest record, and so part of their keys.
    clustering_record = cluster_settings;
    if (approximation) clustering_record["approximation"] = to_json(*approximation);
    result.communities = communities.size();
    result.covered = members(communities);
    if (communities.empty())
        throw Error("no communities at threshold " + std::to_string(settings.threshold) + " and minimum size " +
                    std::to_string(settings.min_community_size) + " among " +
                    plural(corpus.records.size(), "question") +
                    "; lower pipeline.threshold or pipeline.min_community_size");
    stage.end(cached, plural(communities.size(), "cluster") + " covering " + plural(result.covered, "question") +
                          " (" + settings.clustering + (approximate ? ", approximate" + recall_of(approximation) : "") +
                          ")");
    result.files.insert(result.files.end(), files.begin(), files.end());
}

// sample: keyed by the communities, the sample size and the seed, so a new
// seed re-samples the same communities without re-clustering.
void PipelineRun::sample_stage() {
    stage.start("sample");
    sample_key = ContentHasher().add(cluster_key).add(settings.sample_size).add(settings.seed).hex();
    const std::vector<std::string> files = {"sample.json"};
    const bool cached = cache.fresh("sample", sample_key, files);
    if (cached) {
        sample = communities_from_json(read_json(cache.path("sample.json")));
    } else {
        recompute("sample");
        sample = sample_communities(communities, settings.sample_size, settings.seed);
        write_json(cache.path("sample.json"), communities_json(sample));
        cache.commit("sample", sample_key, files);
    }
    for (const auto& c : sample) origins.insert(origins.end(), c.begin(), c.end());
    result.sampled = origins.size();
    stage.end(cached, plural(origins.size(), "question") + " from " + plural(sample.size(), "community") +
                          " (seed " + std::to_string(settings.seed) + ")");
    result.files.insert(result.files.end(), files.begin(), files.end());
}

// map: what the GUI's cluster map draws (projection, keywords, samples);
// keyed by the sample (whose key covers the questions and their vectors),
// the clustering record it shows and the device the projection runs on
// (CUDA sums in another order). It reads no answers: a source whose answers
// alone changed keeps its map.
void PipelineRun::map_stage() {
    stage.start("map");
    const std::string map_key =
        ContentHasher().add(sample_key).add(clustering_record.dump()).add(settings.embed.device).hex();
    const std::vector<std::string> files = {"cluster_map.json"};
    const bool cached = cache.fresh("map", map_key, files);
    if (!cached) {
        recompute("map");
        MapOptions map_options;
        map_options.projection.device = settings.embed.device;
        ClusterMap map = build_cluster_map(vectors(), communities, sample, questions, map_options, stage.progress());
        map.clustering = clustering_record;
        map.clustering["sample_size"] = settings.sample_size;
        map.clustering["seed"] = settings.seed;
        write_cluster_map(cache.path("cluster_map.json"), map);
        cache.commit("map", map_key, files);
    }
    stage.end(cached, "2-D projection and keywords of " + plural(communities.size(), "cluster"));
    result.files.insert(result.files.end(), files.begin(), files.end());
}

// fewshot: the search's picks (row ids and scores) are cached on their own,
// keyed by the sample (which covers the questions and their vectors), k and
// the device; the curators' edits are replayed on them (cheap), so an edit or
// a changed answer never re-runs the search. The written shots are keyed by
// the picks, the edits and the whole records they copy.
void PipelineRun::fewshot_stage() {
    stage.start("fewshot");
    fewshot_file = project.domain + "_fewshot.jsonl";
    const std::string edits_report = "fewshot_edits_report.json", picks_file = ".distill-cache/fewshot_picks.json";
    // The device too: CUDA sums in another order, so scores and ties may differ.
    const std::string picks_key =
        ContentHasher().add(sample_key).add(project.fewshot.k).add(settings.embed.device).hex();
    ContentHasher fewshot_hash;
    fewshot_hash.add(picks_key).add(corpus_key);
    for (const auto& edit : project.fewshot_edits) fewshot_hash.add(to_json(edit).dump());
    fewshot_key = fewshot_hash.hex();
    const std::vector<std::string> files = {fewshot_file, edits_report};
    const bool cached = cache.fresh("fewshot", fewshot_key, files);
    bool picks_cached = false;
    std::size_t edits_applied = 0, edits_unapplied = 0;
    if (!cached) {
        recompute("fewshot");
        // Built only here: indexing every question costs a second at 700k.
        SimilarityCompute compute;
        compute.device = settings.embed.device;
        const FewShotPicker picker(corpus.records, vectors(), project.fewshot, compute);
        std::vector<FewShot> picks;
        picks_cached = cache.fresh("fewshot_picks", picks_key, {picks_file});
        if (picks_cached) {
            picks = picks_from_json(read_json(cache.path(picks_file)));
        } else {
            cache.begin("fewshot_picks");
            picks = picker.pick(origins, stage.progress());
            write_json(cache.path(picks_file), picks_json(picks));
            cache.commit("fewshot_picks", picks_key, {picks_file});
        }
        const auto edited = apply_fewshot_edits(std::move(picks), project.fewshot_edits, picker);
        edits_applied = edited.applied;
        edits_unapplied = edited.unapplied.size();
        ordered_json unapplied = ordered_json::array();
        for (const auto& u : edited.unapplied)
            unapplied.push_back(
                {{"index", u.index}, {"edit", to_json(project.fewshot_edits[u.index])}, {"reason", u.reason}});
        // The shots first: a cancel polled while they are written leaves both
        // files as the last run left them; the report, written after with no
        // poll between, cannot be stopped half way.
        write_fewshot_jsonl(cache.path(fewshot_file), edited.fewshots, corpus.records, stage.progress());
        write_json(cache.path(edits_report), {{"applied", edited.applied}, {"unapplied", unapplied}});
        cache.commit("fewshot", fewshot_key, files);
    }
    stage.end(cached, cached ? "unchanged"
                             : plural(origins.size(), "origin") + " with up to " + plural(project.fewshot.k, "shot") +
                                   (picks_cached ? " (search cached)" : "") +
                                   (project.fewshot_edits.empty()
                                        ? std::string()
                                        : "; " + plural(edits_applied, "edit") + " applied, " +
                                              std::to_string(edits_unapplied) + " no longer apply"));
    result.files.insert(result.files.end(), files.begin(), files.end());
}

// format: keyed by the few-shots, the preset's content (not its path), the
// tokenizer's content and max_seq_len, which the length check reads.
void PipelineRun::format_stage() {
    stage.start("format");
    raw_file = project.domain + "_prompt_data.jsonl";
    format_key = ContentHasher()
                     .add(kFormatRulesVersion)
                     .add(fewshot_key)
                     .add(to_json(preset).dump())
                     .add(tokenizer_hash)
                     .add(std::uint64_t(settings.max_seq_len))
                     .hex();
    const std::vector<std::string> files = {raw_file, "format_report.json"};
    const bool cached = cache.fresh("format", format_key, files);
    FormatReport format_report;
    if (cached) {
        result.formatted = read_json(cache.path("format_report.json"))["written"].get<std::size_t>();
    } else {
        recompute("format");
        const PromptFormatter formatter(preset, &tokenizer, settings.max_seq_len);
        format_report = format_file(cache.path(fewshot_file), cache.path(raw_file), formatter, BadInputPolicy::Abort,
                                    stage.progress());
        ordered_json report{{"preset", preset.name}};
        report.update(to_json(format_report));
        write_json(cache.path("format_report.json"), report);
        cache.commit("format", format_key, files);
        result.formatted = format_report.written;
    }
    stage.end(cached, plural(result.formatted, "prompt") + " with the " + preset.name + " preset" +
                          (cached ? "" : ", " + std::to_string(format_report.dropped()) + " dropped"));
    result.files.insert(result.files.end(), files.begin(), files.end());
}

// export: keyed by the prompts, the export's own settings and all that the
// manifest records of the run, so a cached export never keeps a stale
// manifest.
void PipelineRun::export_stage() {
    stage.start("export");
    ExportOptions options;
    options.max_seq_len = settings.max_seq_len;
    options.mask_inputs = settings.mask_inputs;
    options.valid_fraction = settings.valid_fraction;
    options.seed = settings.seed;
    options.upstream = {{"project", project.name},
                        {"domain", project.domain},
                        {"settings", to_json(settings)},
                        {"corpus", to_json(corpus.report, corpus.records.size())},
                        {"embedder", embedder->identity()},
                        {"clustering", clustering_record},
                        {"clusters", result.communities},
                        {"covered", result.covered},
                        {"outliers", corpus.records.size() - result.covered},
                        {"sampled", result.sampled},
                        {"fewshot",
                         {{"k", project.fewshot.k},
                          {"shots_exclude_own_row", true},
                          {"edits", read_json(cache.path("fewshot_edits_report.json"))}}},
                        {"format", read_json(cache.path("format_report.json"))}};
    // The settings in it hold the export's own: mask_inputs, valid_fraction, seed.
    const std::string export_key = ContentHasher().add(format_key).add(options.upstream.dump()).hex();
    std::vector<std::string> files = {"train.pt", "manifest.json"};
    if (settings.valid_fraction > 0) files.push_back("valid.pt");
    const bool cached = cache.fresh("export", export_key, files);
    if (cached) {
        result.exported = read_json(cache.path("manifest.json"))["counts"]["rows"].get<std::size_t>();
    } else {
        recompute("export");
        result.exported =
            export_dataset({cache.path(raw_file)}, tokenizer, cache.output_dir(), options, stage.progress()).rows;
        cache.commit("export", export_key, files);
    }
    stage.end(cached, plural(result.exported, "row") + " in " + files.front() +
                          (settings.valid_fraction > 0 ? " and valid.pt" : ""));
    result.files.insert(result.files.end(), files.begin(), files.end());
}

}  // namespace

const std::vector<std::string>& pipeline_stages() { return kStages; }

PromptPreset prompt_preset_of(const Project& project) {
    const std::string& setting = project.pipeline.prompt;
    if (setting.empty()) {
        if (const PromptPreset* preset = find_prompt_preset(project.domain)) return *preset;
        throw Error("project '" + project.name + "': domain '" + project.domain +
                    "' has no prompt preset of its name; set pipeline.prompt to a preset or a preset JSON file");
    }
    if (const PromptPreset* preset = find_prompt_preset(setting)) return *preset;
    return load_prompt_preset(project.resolve(setting));
}

namespace {

// run_pipeline, or with load_only load_last_run.
PipelineResult run_stages(const Project& project, const OutputFolderLock& output_folder, PipelineObserver* observer,
                          bool load_only) {
    PipelineResult result;
    result.output_dir = output_folder.output_dir();
    const StageCache cache(output_folder);

    // Settings the later stages need are checked before any work is done: a
    // typo in the tokenizer path must not cost an embedding run first.
    const PromptPreset preset = prompt_preset_of(project);
    const std::string tokenizer_path = project.resolve(project.pipeline.tokenizer);
    if (tokenizer_path.empty())
        throw Error("project '" + project.name +
                    "': pipeline.tokenizer is not set; name the LLM's sentencepiece tokenizer.model "
                    "(installer/fetch-tokenizer.sh keeps Llama-2's in ~/.cache/distill-studio/llama-2/)");
    const SentencePieceTokenizer tokenizer(tokenizer_path);

    // A load computes nothing: a run made on a GPU machine opens anywhere.
    if (!load_only && project.pipeline.embed.device == "cuda" && compute_info().cuda_devices == 0)
        throw Error("project '" + project.name + "': pipeline.device is cuda, but " + compute_info().summary() +
                    "; set it to auto or cpu, or run on a GPU machine with a CUDA build");

    PipelineRun run(project, cache, observer, result, preset, tokenizer, hash_file(tokenizer_path), load_only);
    run.corpus_stage();
    check_settings_fit(project, run.corpus.records.size());
    run.embed_stage();
    run.cluster_stage();
    run.sample_stage();
    run.map_stage();
    run.fewshot_stage();
    run.format_stage();
    run.export_stage();
    result.corpus = std::move(run.corpus);
    return result;
}

}  // namespace

PipelineResult run_pipeline(const Project& project, const OutputFolderLock& output_folder,
                            PipelineObserver* observer) {
    if (output_folder.access() != OutputFolderLock::Access::Run)
        throw Error(output_folder.output_dir() + ": the folder is held for reading only; a run needs it held for a run");
    return run_stages(project, output_folder, observer, false);
}

PipelineResult load_last_run(const Project& project, const OutputFolderLock& output_folder,
                             PipelineObserver* observer) {
    return run_stages(project, output_folder, observer, true);
}

LastRunOutdated::LastRunOutdated(const std::string& output_dir, std::string stage)
    : Error(output_dir + ": the last run there is out of date from its " + stage +
            " stage on (the project or its sources changed since, an output there was edited, or it never ran that "
            "far); run the pipeline"),
      stage(std::move(stage)) {}

PipelineResult run_pipeline(const Project& project, const std::string& output_dir, PipelineObserver* observer) {
    const OutputFolderLock output_folder(output_dir, OutputFolderLock::Access::Run, observer);
    return run_pipeline(project, output_folder, observer);
}

}  // namespace distill
