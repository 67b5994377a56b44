// `distill fewshot`: give every sampled question its k most similar other
// questions of the pooled corpus as shots (SPEC §4), replay curators' edits,
// and write the reference's few-shot JSONL that `distill format` reads.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>

#include "commands.h"
#include "file_checks.h"
#include "distill/atomic_file.h"
#include "distill/error.h"
#include "distill/fewshot.h"
#include "distill/npy.h"
#include "number_checks.h"
#include "pooled_corpus.h"
#include "terminal_progress.h"

namespace distill::cli {
namespace {

using nlohmann::ordered_json;

struct FewShotCommandOptions {
    std::string corpus;
    std::string embeddings;
    std::string origins;
    std::string communities;
    std::size_t sample = 0;
    std::uint64_t seed = 42;
    std::size_t k = FewShotSettings{}.k;
    std::string edits;
    std::string output;
    std::string report;
    std::string device = "auto";
};

ordered_json read_json_file(const std::string& path, const char* what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open the " + what + "; check the path");
    try {
        return ordered_json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(path + ": not valid JSON (" + e.what() + "); fix the file");
    }
}

std::vector<Record> read_pooled_corpus(const std::string& path, ProgressSink* progress) {
    std::vector<Record> records;
    for_each_pooled_record("--corpus", path, progress, [&](Record&& r) { records.push_back(std::move(r)); });
    return records;
}

// Row ids from a flat array, or from an array of arrays (what `distill
// communities` writes, or a sample of it) taken community by community.
std::vector<RowId> read_origins(const std::string& path) {
    const ordered_json j = read_json_file(path, "origins file");
    const auto bad = [&](const std::string& problem) {
        return Error(path + ": " + problem +
                     "; expected a JSON array of row ids, or an array of arrays of them (communities)");
    };
    if (!j.is_array()) throw bad(std::string("the top level is ") + j.type_name());
    std::vector<RowId> rows;
    const auto take = [&](const ordered_json& id, const std::string& where) {
        if (!id.is_number_unsigned() || id.get<std::uint64_t>() > std::numeric_limits<RowId>::max())
            throw bad(where + " is " + id.dump() + ", not a row id");
        rows.push_back(id.get<RowId>());
    };
    for (std::size_t i = 0; i < j.size(); ++i) {
        if (!j[i].is_array()) {
            take(j[i], "entry " + std::to_string(i));
            continue;
        }
        for (std::size_t m = 0; m < j[i].size(); ++m)
            take(j[i][m], "member " + std::to_string(m) + " of entry " + std::to_string(i));
    }
    return rows;
}

std::vector<RowId> sampled_origins(const FewShotCommandOptions& o) {
    const ordered_json j = read_json_file(o.communities, "communities file");
    std::vector<Community> communities;
    try {
        communities = j.get<std::vector<Community>>();
    } catch (const nlohmann::json::exception&) {
        throw Error(o.communities + ": expected a JSON array of arrays of row ids, as `distill communities` writes");
    }
    std::vector<RowId> rows;
    for (const auto& c : sample_communities(communities, o.sample, o.seed)) rows.insert(rows.end(), c.begin(), c.end());
    return rows;
}

// Runs `stage` and puts `files` in front of its error: the stage knows no paths.
template <class Stage>
auto naming(const std::string& files, Stage&& stage) {
    try {
        return stage();
    } catch (const Cancelled&) {
        throw;
    } catch (const Error& e) {
        throw Error(files + ": " + e.what());
    }
}

void run_fewshot(const FewShotCommandOptions& o) {
    check_files({{"--output", o.output}, {"--report", o.report}},
                {{"--corpus", o.corpus}, {"--embeddings", o.embeddings}, {"--origins", o.origins},
                 {"--communities", o.communities}, {"--edits", o.edits}});
    const auto start = std::chrono::steady_clock::now();
    TerminalProgress progress;
    const std::vector<Record> records = read_pooled_corpus(o.corpus, &progress);
    progress.finish();
    const Matrix embeddings = read_npy(o.embeddings);
    const std::vector<RowId> origins = o.origins.empty() ? sampled_origins(o) : read_origins(o.origins);
    const std::vector<FewShotEdit> edits = o.edits.empty() ? std::vector<FewShotEdit>{} : load_fewshot_edits(o.edits);

    SimilarityCompute compute;
    compute.device = o.device;
    const FewShotPicker picker = naming(o.corpus + " with " + o.embeddings,
                                        [&] { return FewShotPicker(records, embeddings, {o.k}, compute); });
    auto picks = naming(o.origins.empty() ? o.communities : o.origins, [&] { return picker.pick(origins, &progress); });
    progress.finish();
    const EditedFewShots edited = apply_fewshot_edits(std::move(picks), edits, picker);
    write_fewshot_jsonl(o.output, edited.fewshots, records, &progress);
    progress.finish();

    ordered_json unapplied = ordered_json::array();
    for (const auto& u : edited.unapplied) {
        std::fprintf(stderr, "%s\n", describe(u, edits).c_str());
        unapplied.push_back({{"index", u.index}, {"edit", to_json(edits[u.index])}, {"reason", u.reason}});
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!o.report.empty()) {
        const ordered_json report{{"corpus_records", records.size()},
                                  {"origins", origins.size()},
                                  {"k", o.k},
                                  {"own_row_excluded", true},
                                  {"written", edited.fewshots.size()},
                                  {"edits", edits.size()},
                                  {"edits_applied", edited.applied},
                                  {"edits_unapplied", unapplied},
                                  {"seconds", seconds}};
        write_file_atomically(o.report, [&](std::ostream& out) { out << report.dump(2) << '\n'; });
    }
    std::fprintf(stderr,
                 "top-%zu shots for %zu origins among %zu corpus rows (own row excluded); %zu of %zu edits applied; "
                 "wrote %zu lines to %s in %.2f s\n",
                 o.k, origins.size(), records.size(), edited.applied, edits.size(), edited.fewshots.size(),
                 o.output.c_str(), seconds);
}

}  // namespace

void add_fewshot_command(CLI::App& app) {
    auto o = std::make_shared<FewShotCommandOptions>();
    auto* sub = app.add_subcommand(
        "fewshot", "Give each sampled question its k most similar other questions of the pooled corpus as shots; "
                   "writes {\"origin\", \"shot\", \"shot_scores\"} JSONL for `distill format`");
    sub->add_option("--corpus", o->corpus, "The pooled JSONL `distill corpus` wrote")->required()->check(CLI::ExistingFile);
    sub->add_option("--embeddings", o->embeddings, "float32 .npy, one row per corpus line, in order")
        ->required()
        ->check(CLI::ExistingFile);
    auto* origins = sub->add_option("--origins", o->origins,
                                    "The sampled questions: a JSON array of row ids, or of arrays of row ids (a "
                                    "sampled communities file), taken in order")
                        ->check(CLI::ExistingFile);
    auto* communities = sub->add_option("--communities", o->communities,
                                        "Instead of --origins: a `distill communities` file to sample from "
                                        "(SPEC §3 sampling; needs --sample)")
                            ->check(CLI::ExistingFile)
                            ->excludes(origins);
    origins->excludes(communities);
    auto* sample = sub->add_option("--sample", o->sample, "With --communities: how many questions to sample")
                       ->check(whole_number<std::size_t>(1))
                       ->needs(communities);
    communities->needs(sample);
    sub->add_option("--seed", o->seed, "With --communities: the sampling seed")
        ->check(whole_number<std::uint64_t>(0))
        ->capture_default_str()
        ->needs(communities);
    sub->add_option("--k", o->k, "Shots per question")->check(whole_number<std::size_t>(1))->capture_default_str();
    sub->add_option("--edits", o->edits,
                    "Curators' edits to replay: a JSON array as a project's \"fewshot_edits\" holds; edits that "
                    "no longer apply are listed on stderr, not fatal")
        ->check(CLI::ExistingFile);
    sub->add_option("--output", o->output, "The few-shot JSONL, one {\"origin\", \"shot\", \"shot_scores\"} per line")
        ->required();
    sub->add_option("--report", o->report, "Also write counts and the edits not applied as JSON");
    sub->add_option("--device", o->device, "auto (CUDA when available), cpu or cuda")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
        ->capture_default_str();
    sub->footer("Example: distill fewshot --corpus pooled.jsonl --embeddings pooled.npy --communities c.json "
                "--sample 1000 --output fewshot.jsonl");
    sub->callback([o, origins, communities] {
        if (!*origins && !*communities) throw CLI::RequiredError("--origins or --communities");
        run_fewshot(*o);
    });
}

}  // namespace distill::cli
