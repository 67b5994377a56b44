// The pipeline runner on the demo project with the real components: the
// demo's sources, the built-in embedder, the real Llama-2 tokenizer. Checks
// what a curator relies on: every stage's output is there and consistent, a
// re-run reuses what did not change and only that, cancel leaves nothing
// partial, and bad settings fail before any work.
#include <QtTest>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "distill/compute_info.h"
#include "distill/error.h"
#include "distill/npy.h"
#include "distill/pipeline.h"
#include "distill/project.h"
#include "support/test_support.h"

using namespace distill::test;

namespace fs = std::filesystem;

namespace {

distill::Project demo() {
    distill::Project p = distill::load_project(demo_project_path());
    p.pipeline.tokenizer = llama_tokenizer_path();
    p.pipeline.sample_size = 120;
    return p;
}

// Which stages ran (true) and which were reused (false), by name.
std::map<std::string, bool> ran(const distill::PipelineResult& r) {
    std::map<std::string, bool> out;
    for (const auto& s : r.stages) out[s.stage] = s.kind == distill::StageEvent::Finished;
    return out;
}

// What a stage's line in the run's report says.
std::string summary_of(const distill::PipelineResult& r, const std::string& stage) {
    for (const auto& s : r.stages)
        if (s.stage == stage) return s.summary;
    return "";
}

nlohmann::json first_line_of(const fs::path& jsonl) {
    std::ifstream in(jsonl);
    std::string line;
    std::getline(in, line);
    return nlohmann::json::parse(line);
}

// Every file under `dir`, to check that nothing partial or temporary is left.
std::set<std::string> files_in(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) out.insert(fs::relative(e.path(), dir).string());
    return out;
}

// Every stage's key as its key file in DIR/.distill-cache/ holds it, by stage.
std::map<std::string, std::string> stage_keys(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::directory_iterator(dir / ".distill-cache"))
        if (e.path().extension() == ".key") out[e.path().stem().string()] = read_file(e.path());
    return out;
}

class CancelAt : public distill::PipelineObserver {
public:
    explicit CancelAt(std::string stage) : stage_(std::move(stage)) {}
    void stage_event(const distill::StageEvent& e) override {
        if (e.kind == distill::StageEvent::Started && e.stage == stage_) cancel_ = true;
    }
    bool cancel_requested() const override { return cancel_; }

private:
    std::string stage_;
    bool cancel_ = false;
};

}  // namespace

class TestPipeline : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::string out(const char* name) const { return (dir_.path() + "/" + name).toStdString(); }

private Q_SLOTS:
    void initTestCase() {
        if (llama_tokenizer_path().empty() || !fs::exists(llama_tokenizer_path()))
            QFAIL("DISTILL_LLAMA_TOKENIZER must name the Llama-2 tokenizer.model (installer/fetch-tokenizer.sh)");
    }

    void runsEveryStageOnTheDemo() {
        const auto r = distill::run_pipeline(demo(), out("full"));
        QCOMPARE(r.stages.size(), distill::pipeline_stages().size());
        for (const auto& s : r.stages) QCOMPARE(int(s.kind), int(distill::StageEvent::Finished));
        QCOMPARE(r.corpus_records, std::size_t(2690));  // resources/demo/README.md
        QVERIFY(r.communities > 10);

        const fs::path dir = out("full");
        const auto sample = read_json(dir / "sample.json");
        const auto communities = read_json(dir / "communities.json");
        QCOMPARE(sample.size(), communities.size());
        // SPEC §3's counts: max(1, floor(size * N / covered)) per community.
        std::size_t expected = 0;
        for (const auto& c : communities) expected += std::max<std::size_t>(1, c.size() * 120 / r.covered);
        QCOMPARE(r.sampled, expected);
        // Every sampled row is a member of its community.
        for (std::size_t c = 0; c < sample.size(); ++c)
            for (const auto& row : sample[c]) {
                const auto& members = communities[c];
                QVERIFY(std::find(members.begin(), members.end(), row) != members.end());
            }

        const auto fewshots = read_jsonl(dir / "math_fewshot.jsonl");
        QCOMPARE(fewshots.size(), r.sampled);
        for (const auto& f : fewshots) {
            QCOMPARE(f["shot"].size(), std::size_t(5));
            for (const auto& shot : f["shot"]) QVERIFY(shot["question"] != f["origin"]["question"]);
        }
        const auto raw = read_jsonl(dir / "math_prompt_data.jsonl");
        QCOMPARE(raw.size(), r.formatted);
        QVERIFY(r.formatted > 0 && r.formatted <= r.sampled);
        for (const auto& row : raw) {
            QVERIFY(row["input"].get<std::string>().ends_with("\nA:"));
            QVERIFY(row.contains("output"));
        }

        const auto map = read_json(dir / "cluster_map.json");
        QCOMPARE(map["projection"]["points"].size(), r.corpus_records);
        // The embeddings stay readable for a threshold sweep: one row per record.
        QVERIFY(fs::path(r.embeddings_file).parent_path() == dir / ".distill-cache" / "embeddings");
        QCOMPARE(distill::read_npy(r.embeddings_file).rows, r.corpus_records);
        QCOMPARE(map["clusters"].size(), r.communities);

        // The demo's valid_fraction is 0.05: every formatted row is in
        // train.pt or valid.pt, which plain torch.load reads back.
        QCOMPARE(r.exported, r.formatted);
        const auto loaded = run_python("import sys, torch\n"
                                       "t = torch.load(sys.argv[1], weights_only=True)\n"
                                       "v = torch.load(sys.argv[2], weights_only=True)\n"
                                       "assert all(r['input_ids'].dtype == torch.int32 for r in t + v)\n"
                                       "print(len(t) + len(v))",
                                       {QString::fromStdString((dir / "train.pt").string()),
                                        QString::fromStdString((dir / "valid.pt").string())},
                                       120000);
        QVERIFY(loaded);
        QCOMPARE(loaded->trimmed().toULongLong(), qulonglong(r.formatted));

        // One manifest accounts for every record from the sources to train.pt.
        const auto manifest = read_json(dir / "manifest.json");
        QCOMPARE(manifest["tool"], "distill run");
        QCOMPARE(manifest["pipeline"]["corpus"]["records"].get<std::size_t>(), r.corpus_records);
        QCOMPARE(manifest["pipeline"]["sampled"].get<std::size_t>(), r.sampled);
        QCOMPARE(manifest["pipeline"]["format"]["written"].get<std::size_t>(), r.formatted);
        QCOMPARE(manifest["counts"]["rows"].get<std::size_t>(), r.formatted);
    }

    void reRunsOnlyWhatChanged() {
        auto p = demo();
        const std::string d = out("cached");
        distill::run_pipeline(p, d);
        const std::string raw_before = read_file(fs::path(d) / "math_prompt_data.jsonl");

        auto again = ran(distill::run_pipeline(p, d));
        QVERIFY(again["corpus"]);  // always re-read; its content is its key
        for (const char* s : {"embed", "cluster", "sample", "fewshot", "format"}) QVERIFY2(!again[s], s);
        QCOMPARE(read_file(fs::path(d) / "math_prompt_data.jsonl"), raw_before);

        p.pipeline.seed = 7;  // a new sample, same communities
        const auto resampled = distill::run_pipeline(p, d);
        again = ran(resampled);
        QVERIFY(!again["embed"] && !again["cluster"]);
        QVERIFY(again["sample"] && again["fewshot"] && again["format"]);
        QVERIFY(!contains(summary_of(resampled, "fewshot"), "search cached"));  // new origins, a new search

        p.pipeline.threshold = 0.8;  // new communities, same embeddings
        again = ran(distill::run_pipeline(p, d));
        QVERIFY(!again["embed"]);
        QVERIFY(again["cluster"] && again["sample"]);

        p.pipeline.approximate = true;  // other communities may come: re-cluster, and say the recall
        auto approximate = distill::run_pipeline(p, d);
        again = ran(approximate);
        QVERIFY(!again["embed"] && again["cluster"] && again["sample"]);
        const std::string measured = summary_of(approximate, "cluster");
        QVERIFY2(contains(measured, "(community, approximate, neighbour recall "), measured.c_str());
        // The manifest says how close it came, with the rows it measured.
        const auto report = read_json(fs::path(d) / "manifest.json")["pipeline"]["clustering"]["approximation"];
        QVERIFY(report["recall"].get<double>() > 0.9 && report["recall"].get<double>() <= 1.0);
        QCOMPARE(report["sampled"].get<std::size_t>(), std::size_t(1000));
        QCOMPARE(read_json(fs::path(d) / "approximation.json")["sampled_rows"].size(), std::size_t(1000));
        QCOMPARE(report["nprobe"].get<std::size_t>(), std::size_t(32));
        QCOMPARE(read_json(fs::path(d) / "cluster_map.json")["clustering"]["approximation"], report);
        approximate = distill::run_pipeline(p, d);
        QVERIFY(!ran(approximate)["cluster"]);
        QCOMPARE(summary_of(approximate, "cluster"), measured);  // a cached stage still says its recall
        fs::remove(fs::path(d) / "approximation.json");    // without it, the stage is not fresh
        QVERIFY(ran(distill::run_pipeline(p, d))["cluster"]);
        p.pipeline.approximate = false;  // the exact communities again (one cached result per stage)
        const auto exact = distill::run_pipeline(p, d);
        QVERIFY(ran(exact)["cluster"]);
        QVERIFY(!fs::exists(fs::path(d) / "approximation.json"));  // no stale measurement left
        QVERIFY(!read_json(fs::path(d) / "manifest.json")["pipeline"]["clustering"].contains("approximation"));

        p.pipeline.max_seq_len = 1024;  // formatting and export depend on it
        again = ran(distill::run_pipeline(p, d));
        QVERIFY(!again["sample"] && !again["fewshot"]);
        QVERIFY(again["format"] && again["export"]);

        p.pipeline.valid_fraction = 0.2;  // only the export
        again = ran(distill::run_pipeline(p, d));
        QVERIFY(!again["format"] && again["export"]);

        // Another device: the projection and the search sum in another order
        // on CUDA, so the map and the few-shots are its own; the vectors are
        // the embedder's (its identity names where they were computed).
        p.pipeline.embed.device = p.pipeline.embed.device == "cpu" ? "auto" : "cpu";
        again = ran(distill::run_pipeline(p, d));
        QVERIFY(!again["embed"] && !again["cluster"] && !again["sample"]);
        QVERIFY(again["map"] && again["fewshot"]);
    }

    // An output changed by hand (edited, truncated, replaced by another run's)
    // is not this run's result: its stage runs again and writes it back, and
    // the stages after it see the stage's own output, not the edit.
    void editedOutputsAreRecomputed() {
        auto p = demo();
        const fs::path d = out("edited-outputs");
        distill::run_pipeline(p, d.string());
        const std::string communities = read_file(d / "communities.json"), sample = read_file(d / "sample.json"),
                          raw = read_file(d / "math_prompt_data.jsonl");

        // Truncated mid-way: a stop with "damaged" before; now a re-run.
        std::ofstream(d / "communities.json", std::ios::trunc) << communities.substr(0, communities.size() / 2);
        auto again = ran(distill::run_pipeline(p, d.string()));
        QVERIFY(again.at("cluster") && !again.at("embed"));
        QCOMPARE(read_file(d / "communities.json"), communities);
        QCOMPARE(read_file(d / "sample.json"), sample);

        // Valid JSON of other communities: reused before; now re-clustered.
        auto one = nlohmann::json::parse(communities);
        one.erase(one.begin());
        std::ofstream(d / "communities.json", std::ios::trunc) << one.dump(1) << '\n';
        again = ran(distill::run_pipeline(p, d.string()));
        QVERIFY(again.at("cluster"));
        QCOMPARE(read_file(d / "communities.json"), communities);

        // Any stage's output, here the formatted prompts with a line removed.
        std::ofstream(d / "math_prompt_data.jsonl", std::ios::trunc) << raw.substr(raw.find('\n') + 1);
        again = ran(distill::run_pipeline(p, d.string()));
        QVERIFY(again.at("format") && !again.at("fewshot") && !again.at("cluster"));
        QCOMPARE(read_file(d / "math_prompt_data.jsonl"), raw);

        // A run that changes nothing leaves every stage cached.
        again = ran(distill::run_pipeline(p, d.string()));
        for (const auto& s : distill::pipeline_stages()) QVERIFY2(again.at(s) == (s == "corpus"), s.c_str());

        // Key files from before outputs were hashed hold the key alone: an
        // upgrade re-runs nothing, and the run records the hashes.
        const auto keys = stage_keys(d);
        for (const auto& [stage, record] : keys)
            std::ofstream(d / ".distill-cache" / (stage + ".key"), std::ios::trunc) << record.substr(0, record.find('\n'));
        again = ran(distill::run_pipeline(p, d.string()));
        for (const auto& s : distill::pipeline_stages()) QVERIFY2(again.at(s) == (s == "corpus"), s.c_str());
        QCOMPARE(stage_keys(d).at("cluster"), keys.at("cluster"));
        QCOMPARE(stage_keys(d).at("export"), keys.at("export"));
    }

    // The search and the map read questions and vectors only: a source whose
    // answers alone changed keeps them, and re-writes what copies answers.
    void changedAnswersKeepTheSearchAndTheMap() {
        auto p = demo();
        const std::string d = out("answers");
        distill::run_pipeline(p, d);
        const std::string edited = out("gsm8k_rechecked.jsonl");
        {
            std::ifstream in(p.resolved_sources().front().path);
            std::ofstream o(edited);
            for (std::string line; std::getline(in, line);) {
                auto record = nlohmann::ordered_json::parse(line);
                record["answer"] = "Rechecked. " + record["answer"].get<std::string>();
                o << record.dump() << "\n";
            }
        }
        p.sources.front().path = edited;
        const auto r = distill::run_pipeline(p, d);
        const auto again = ran(r);
        for (const char* s : {"embed", "cluster", "sample", "map"}) QVERIFY2(!again.at(s), s);
        for (const char* s : {"fewshot", "format", "export"}) QVERIFY2(again.at(s), s);
        QVERIFY2(contains(summary_of(r, "fewshot"), "(search cached)"), summary_of(r, "fewshot").c_str());
        QVERIFY(contains(read_file(fs::path(d) / "math_fewshot.jsonl"), "Rechecked. "));
        QVERIFY(contains(read_file(fs::path(d) / "math_prompt_data.jsonl"), "Rechecked. "));
    }

    // What the GUI shows on opening a project: the folder's last run, only
    // while it is that of the project as it is now. Loading reuses every
    // stage and writes nothing; a changed setting, a changed source or a
    // deleted output names the first stage a run would compute, and still
    // writes nothing.
    void loadsTheLastRunOnlyWhileItFits() {
        const auto p = demo();
        const fs::path d = out("last");
        using Access = distill::OutputFolderLock::Access;
        const auto outdated_at = [&](const distill::Project& project) -> std::string {
            const distill::OutputFolderLock folder(d.string(), Access::Read);
            try {
                distill::load_last_run(project, folder);
            } catch (const distill::LastRunOutdated& e) {
                // The message names the folder and the stage (QVERIFY cannot return from here).
                return contains(e.what(), d.string()) && contains(e.what(), e.stage) ? e.stage : e.what();
            }
            return "";
        };
        fs::create_directories(d);
        QCOMPARE(outdated_at(p), std::string("corpus"));  // no run yet
        QVERIFY(files_in(d).empty());                    // and nothing made for it

        auto run = distill::run_pipeline(p, d.string());
        // Every file's time, the lock's included: a reader does not even
        // name itself in it.
        const auto write_times = [&] {
            std::map<std::string, fs::file_time_type> times;
            for (const auto& file : files_in(d)) times[file] = fs::last_write_time(d / file);
            return times;
        };
        const auto written = write_times();
        const auto unchanged = [&] { return write_times() == written; };

        distill::PipelineResult loaded;
        {
            const distill::OutputFolderLock folder(d.string(), Access::Read);
            loaded = distill::load_last_run(p, folder);
        }
        for (const auto& [stage, computed] : ran(loaded)) QVERIFY2(computed == (stage == "corpus"), stage.c_str());
        QCOMPARE(loaded.stages.size(), run.stages.size());
        QCOMPARE(loaded.communities, run.communities);
        QCOMPARE(loaded.sampled, run.sampled);
        QCOMPARE(loaded.formatted, run.formatted);
        QCOMPARE(loaded.exported, run.exported);
        QCOMPARE(loaded.files, run.files);
        QCOMPARE(loaded.embeddings_file, run.embeddings_file);
        // The rows the map and the few-shots are, as the run pooled them.
        QCOMPARE(loaded.corpus.records.size(), run.corpus_records);
        QCOMPARE(loaded.corpus.records, run.corpus.records);
        QVERIFY(unchanged());

        // The first stage a change of the project makes out of date.
        const auto outdated_after = [&](const std::function<void(distill::Project&)>& change) {
            auto changed = p;
            change(changed);
            return outdated_at(changed);
        };
        using P = distill::Project;
        QCOMPARE(outdated_after([](P& c) { c.pipeline.threshold = 0.8; }), std::string("cluster"));
        QCOMPARE(outdated_after([](P& c) { c.pipeline.seed = 7; }), std::string("sample"));
        QCOMPARE(outdated_after([](P& c) { c.fewshot.k = 3; }), std::string("fewshot"));
        QCOMPARE(outdated_after([](P& c) { c.pipeline.max_seq_len = 1024; }), std::string("format"));
        QCOMPARE(outdated_after([](P& c) { c.pipeline.valid_fraction = 0.2; }), std::string("export"));
        // Another pooling: its report first.
        QCOMPARE(outdated_after([](P& c) { c.sources.pop_back(); }), std::string("corpus"));
        const auto first = first_line_of(d / "math_fewshot.jsonl");
        QCOMPARE(outdated_after([&](P& c) {
                     c.fewshot_edits = {{distill::FewShotEditKind::Remove, first["origin"]["question"],
                                         first["shot"][0]["question"], "", 0}};
                 }),
                 std::string("fewshot"));
        // The same records with a malformed line more, skipped: every stage's
        // input is the same, but the corpus report (and the manifest) differ.
        const std::string with_bad_line = out("gsm8k_with_bad_line.jsonl");
        fs::copy_file(p.resolved_sources().front().path, with_bad_line);
        std::ofstream(with_bad_line, std::ios::app) << "{not json\n";
        QCOMPARE(outdated_after([&](P& c) {
                     c.sources.front().path = with_bad_line;
                     c.on_bad_line = distill::BadInputPolicy::Skip;
                 }),
                 std::string("corpus"));
        QVERIFY(unchanged());

        // A load reads no vectors (2 GB at 700k): with their values garbled
        // in place, the size kept, it still shows the run.
        {
            std::fstream npy(run.embeddings_file, std::ios::in | std::ios::out | std::ios::binary);
            npy.seekp(-64, std::ios::end);
            npy.write(std::string(64, '\x7f').data(), 64);
        }
        QCOMPARE(outdated_at(p), std::string());

        // Outputs gone: the first stage that has lost one.
        fs::remove(d / "cluster_map.json");
        QCOMPARE(outdated_at(p), std::string("map"));
        for (const auto& e : fs::directory_iterator(d / ".distill-cache" / "embeddings")) fs::remove(e.path());
        QCOMPARE(outdated_at(p), std::string("embed"));
        QVERIFY(!fs::exists(d / "cluster_map.json"));
        QCOMPARE(files_in(d / ".distill-cache" / "embeddings"), std::set<std::string>{});
    }

    // The keys are what keep an output folder cached: a second run reuses
    // every stage under the very same keys, and a new max_seq_len changes
    // exactly the keys of the stages that read it.
    void stageKeysStayTheSame() {
        auto p = demo();
        const fs::path d = out("keys");
        distill::run_pipeline(p, d.string());
        const auto keys = stage_keys(d);
        // corpus is re-read every run and embed keeps its own cache: no key
        // files; the few-shot search keeps its picks under a key of its own.
        QCOMPARE(keys.size(), distill::pipeline_stages().size() - 2 + 1);
        QVERIFY(keys.contains("fewshot_picks"));
        for (const auto& [stage, key] : keys) QVERIFY2(key.size() >= 16, stage.c_str());

        auto again = ran(distill::run_pipeline(p, d.string()));
        for (const auto& s : distill::pipeline_stages()) QVERIFY2(again.at(s) == (s == "corpus"), s.c_str());
        QCOMPARE(stage_keys(d), keys);

        p.pipeline.max_seq_len = 1024;
        again = ran(distill::run_pipeline(p, d.string()));
        const auto reads_it = [](const std::string& s) { return s == "format" || s == "export"; };
        for (const auto& s : distill::pipeline_stages())
            QVERIFY2(again.at(s) == (s == "corpus" || reads_it(s)), s.c_str());
        const auto changed = stage_keys(d);
        QCOMPARE(changed.size(), keys.size());
        for (const auto& [stage, key] : keys) QVERIFY2((changed.at(stage) == key) == !reads_it(stage), stage.c_str());
    }

    // A curator's edit re-runs the few-shot stage on the search's cached
    // picks, and gives the very shots a run that searched afresh gives.
    void fewShotEditReusesTheSearch() {
        auto p = demo();
        const fs::path d = out("edit-on-cached-picks");
        distill::run_pipeline(p, d.string());
        const std::string picks_key = stage_keys(d).at("fewshot_picks");
        const auto first = first_line_of(d / "math_fewshot.jsonl");
        const std::string origin = first["origin"]["question"], shot = first["shot"][0]["question"];
        p.fewshot_edits = {{distill::FewShotEditKind::Remove, origin, shot, "", 0}};

        const auto edited = distill::run_pipeline(p, d.string());
        QVERIFY(ran(edited).at("fewshot"));
        const std::string summary = summary_of(edited, "fewshot");
        QVERIFY2(contains(summary, "(search cached); 1 edit applied, 0 no longer apply"), summary.c_str());
        QCOMPARE(stage_keys(d).at("fewshot_picks"), picks_key);
        const fs::path fresh = out("edit-searched-afresh");
        distill::run_pipeline(p, fresh.string());
        QCOMPARE(read_file(d / "math_fewshot.jsonl"), read_file(fresh / "math_fewshot.jsonl"));
        QCOMPARE(first_line_of(d / "math_fewshot.jsonl")["origin"], first["origin"]);
        for (const auto& kept : first_line_of(d / "math_fewshot.jsonl")["shot"]) QVERIFY(kept["question"] != shot);

        // Picks that do not fit the run (damaged, or of other origins) are
        // searched again, never replayed.
        const std::string good = read_file(d / ".distill-cache/fewshot_picks.json");
        auto bad_row = nlohmann::json::parse(good), swapped = bad_row;
        bad_row[0][1][0] = 999999;
        std::swap(swapped[0][0], swapped[1][0]);
        for (const std::string& kept :
             {std::string("[]"), std::string("{\"not\": \"picks\"}"), bad_row.dump(), swapped.dump(),
              good.substr(0, good.size() / 2)}) {
            std::ofstream(d / ".distill-cache/fewshot_picks.json") << kept;
            p.fewshot_edits.push_back({distill::FewShotEditKind::Remove, origin, shot, "", 0});  // a new key
            const auto searched = distill::run_pipeline(p, d.string());
            QVERIFY2(ran(searched).at("fewshot") && !contains(summary_of(searched, "fewshot"), "search cached"),
                     kept.substr(0, 40).c_str());
            QVERIFY2(read_file(d / ".distill-cache/fewshot_picks.json") ==
                         read_file(fresh / ".distill-cache/fewshot_picks.json"),
                     kept.substr(0, 40).c_str());
            p.fewshot_edits.resize(1);
            distill::run_pipeline(p, d.string());  // back to the one edit, so the next pass is a new key again
        }
        auto more_shots = p;
        more_shots.fewshot.k += 1;  // another k, another search
        QVERIFY(!contains(summary_of(distill::run_pipeline(more_shots, d.string()), "fewshot"), "search cached"));

        // The edits' report is the few-shot stage's output too: without it the
        // stage runs again, so a later export can still read it.
        fs::remove(d / "fewshot_edits_report.json");
        p.pipeline.valid_fraction = 0.2;
        const auto again = ran(distill::run_pipeline(p, d.string()));
        QVERIFY(again.at("fewshot") && again.at("export"));
        QVERIFY(fs::exists(d / "fewshot_edits_report.json"));

        // All the manifest records is in the export's key: a renamed project
        // re-exports (only that) and the manifest says the new name.
        p.name = "Renamed";
        const auto renamed = ran(distill::run_pipeline(p, d.string()));
        QVERIFY(!renamed.at("format") && renamed.at("export"));
        QCOMPARE(read_json(d / "manifest.json")["pipeline"]["project"].get<std::string>(), std::string("Renamed"));
    }

    // A preset file is keyed by what it says, not where it is: editing the
    // file in place (as Distill Studio's template editor saves it) re-formats.
    void editedPresetFileReFormats() {
        auto p = demo();
        const std::string d = out("preset-file");
        fs::create_directories(d);
        const std::string preset_path = d + "/custom.prompt.json";
        auto preset = *distill::find_prompt_preset("math");
        const auto write_preset = [&] {
            std::ofstream(preset_path) << distill::to_json(preset).dump(2);
        };
        write_preset();
        p.pipeline.prompt = preset_path;
        QCOMPARE(distill::to_json(distill::prompt_preset_of(p)), distill::to_json(preset));
        distill::run_pipeline(p, d);

        preset.prompt.query = "Question: {question}\nAnswer:";
        write_preset();
        const auto again = ran(distill::run_pipeline(p, d));
        for (const char* s : {"embed", "cluster", "sample", "fewshot"}) QVERIFY2(!again.at(s), s);
        QVERIFY(again.at("format") && again.at("export"));
        const auto raw = read_jsonl(fs::path(d) / "math_prompt_data.jsonl");
        QVERIFY(!raw.empty());
        for (const auto& row : raw) QVERIFY(row["input"].get<std::string>().ends_with("\nAnswer:"));

        // The same content is the same key, wherever it comes from.
        p.pipeline.prompt = "math";
        distill::run_pipeline(p, d);
        preset = *distill::find_prompt_preset("math");
        write_preset();
        p.pipeline.prompt = preset_path;
        QVERIFY(!ran(distill::run_pipeline(p, d)).at("format"));
    }

    void cancelLeavesNoPartialFile() {
        const std::string d = out("cancel");
        CancelAt cancel("fewshot");
        QVERIFY_THROWS_EXCEPTION(distill::Cancelled, distill::run_pipeline(demo(), d, &cancel));
        for (const auto& f : files_in(d)) {
            QVERIFY2(f.find("tmp") == std::string::npos, f.c_str());
            QVERIFY2(f.find("fewshot") == std::string::npos && f.find("prompt_data") == std::string::npos, f.c_str());
        }
        // What completed before the cancel is reused.
        const auto r = ran(distill::run_pipeline(demo(), d));
        QVERIFY(!r.at("embed") && !r.at("cluster") && !r.at("sample"));
        QVERIFY(r.at("fewshot"));
    }

    // A second run into a folder a run is using fails at once, naming the
    // folder and the holder; the first one completes undisturbed.
    // Once it has ended, the folder is free again.
    void oneRunAtATimePerOutputFolder() {
        const std::string d = out("locked");
        struct StartSecondRun : distill::PipelineObserver {
            std::string dir, error;
            void stage_event(const distill::StageEvent& e) override {
                if (e.kind != distill::StageEvent::Started || e.stage != "cluster") return;
                try {
                    distill::run_pipeline(demo(), dir);
                } catch (const distill::Error& err) {
                    error = err.what();
                }
            }
        } second;
        second.dir = d;
        const auto r = distill::run_pipeline(demo(), d, &second);
        QCOMPARE(r.stages.size(), distill::pipeline_stages().size());
        const std::string expected = d + ": another run (pid " + std::to_string(::getpid()) + " on ";
        QVERIFY2(second.error.rfind(expected, 0) == 0, second.error.c_str());
        QVERIFY2(second.error.find("is using this output folder") != std::string::npos, second.error.c_str());
        QVERIFY(!ran(distill::run_pipeline(demo(), d)).at("export"));

        // A caller that reads the outputs after the run (the GUI) holds the
        // folder across both: no other run gets in between, and the lock
        // goes with its holder.
        const std::string held = out("held");
        {
            const distill::OutputFolderLock folder(held);
            QVERIFY(fs::is_directory(fs::path(held) / ".distill-cache"));
            QVERIFY(ran(distill::run_pipeline(demo(), folder)).at("export"));
            QVERIFY_THROWS_EXCEPTION(distill::Error, distill::run_pipeline(demo(), held));
            QVERIFY_THROWS_EXCEPTION(distill::Error, distill::OutputFolderLock{held});
            QVERIFY(!ran(distill::run_pipeline(demo(), folder)).at("export"));
        }
        QVERIFY(!ran(distill::run_pipeline(demo(), held)).at("export"));
    }

    // Reading a finished run holds the folder shared: readers share it, a
    // run waits for them (they take seconds) but refuses while another run
    // holds it, and a reader refuses while a run holds it. Nor may a run
    // go ahead on a folder held only for reading.
    void readersShareTheFolderAndARunWaitsForThem() {
        using Access = distill::OutputFolderLock::Access;
        const std::string d = out("shared");
        distill::run_pipeline(demo(), d);
        {
            const distill::OutputFolderLock first(d, Access::Read), second(d, Access::Read);
            QVERIFY(!ran(distill::load_last_run(demo(), second)).at("export"));
            try {
                distill::run_pipeline(demo(), first);
                QFAIL("a run went ahead on a folder held for reading");
            } catch (const distill::Error& e) {
                QVERIFY2(contains(e.what(), "held for reading only"), e.what());
            }
        }
        {
            const distill::OutputFolderLock running(d);
            try {
                const distill::OutputFolderLock reader(d, Access::Read);
                QFAIL("read a folder a run holds");
            } catch (const distill::Error& e) {
                QVERIFY2(contains(e.what(), "another run (pid " + std::to_string(::getpid())), e.what());
            }
        }
        // A reader letting go after a while: the run starts then, not before.
        auto reader = std::make_unique<distill::OutputFolderLock>(d, Access::Read);
        const auto start = std::chrono::steady_clock::now();
        {
            std::jthread letGo([&] {  // joined however the block ends
                std::this_thread::sleep_for(std::chrono::milliseconds(400));
                reader.reset();
            });
            const distill::OutputFolderLock running(d);
            QVERIFY(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(400));
        }
        // A reader that comes while a run waits is refused, naming the run:
        // readers taking turns cannot keep it waiting.
        {
            auto first = std::make_unique<distill::OutputFolderLock>(d, Access::Read);
            std::string runError = "never took the folder";
            std::jthread waitingRun([&] {
                try {
                    const distill::OutputFolderLock running(d);
                    runError.clear();
                } catch (const std::exception& e) {
                    runError = e.what();
                }
            });
            std::string refusal;
            for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
                 refusal.empty() && std::chrono::steady_clock::now() < until;
                 std::this_thread::sleep_for(std::chrono::milliseconds(10))) {
                try {
                    const distill::OutputFolderLock later(d, Access::Read);
                } catch (const distill::Error& e) {
                    refusal = e.what();
                }
            }
            QVERIFY2(contains(refusal, "another run (pid " + std::to_string(::getpid())), refusal.c_str());
            first.reset();
            waitingRun.join();
            QVERIFY2(runError.empty(), runError.c_str());
        }
        // A run that is cancelled while it waits stops waiting.
        {
            const distill::OutputFolderLock held(d, Access::Read);
            struct CancelAtOnce : distill::PipelineObserver {
                std::string said;  // what it was told it waits for
                void update(std::string_view stage, std::uint64_t, std::uint64_t) override { said = stage; }
                bool cancel_requested() const override { return true; }
            } cancelAtOnce;
            const auto waited = std::chrono::steady_clock::now();
            QVERIFY_THROWS_EXCEPTION(distill::Cancelled, distill::run_pipeline(demo(), d, &cancelAtOnce));
            QVERIFY(std::chrono::steady_clock::now() - waited < std::chrono::seconds(10));
            QCOMPARE(cancelAtOnce.said, std::string("waiting for Distill Studio to finish reading the output folder"));
        }
        // Nothing to read: nothing held, nothing made.
        const fs::path empty = out("never-run");
        fs::create_directories(empty);
        { const distill::OutputFolderLock reader(empty.string(), Access::Read); }
        QVERIFY(files_in(empty).empty());
    }

    void badSettingsFailBeforeAnyWork() {
        auto p = demo();
        p.pipeline.tokenizer = "/nonexistent/tokenizer.model";
        const std::string d = out("bad");
        try {
            distill::run_pipeline(p, d);
            QFAIL("no error for a missing tokenizer");
        } catch (const distill::Error& e) {
            QVERIFY2(std::string(e.what()).find("/nonexistent/tokenizer.model") != std::string::npos, e.what());
        }
        QVERIFY(!fs::exists(fs::path(d) / ".distill-cache" / "embeddings"));

        p = demo();
        p.pipeline.prompt = "no-such-preset";
        QVERIFY_THROWS_EXCEPTION(distill::Error, distill::run_pipeline(p, d));

        // Settings that need the corpus's size fail after pooling, before
        // the embedding: more k-means clusters than records ...
        p = demo();
        p.pipeline.clustering = "kmeans";
        p.pipeline.kmeans_k = 100000;
        std::string why = error_of([&] { distill::run_pipeline(p, d); });
        QVERIFY2(contains(why, "pipeline.kmeans_k is 100000 but the sources pool to ") &&
                     contains(why, "use a kmeans_k of at most "),
                 why.c_str());
        QVERIFY(!fs::exists(fs::path(d) / ".distill-cache" / "embeddings"));

        // ... and a corpus of one record, which no map can project.
        p = demo();
        const std::string one = out("one-record.jsonl");
        {
            std::ifstream in(p.resolved_sources().front().path);
            std::string line;
            std::getline(in, line);
            std::ofstream(one) << line << "\n";
        }
        p.sources.resize(1);
        p.sources.front().path = one;
        why = error_of([&] { distill::run_pipeline(p, d); });
        QVERIFY2(contains(why, "its sources pool to 1 record; clustering and the cluster map need at least 2"),
                 why.c_str());
        QVERIFY(!fs::exists(fs::path(d) / ".distill-cache" / "embeddings"));

        // A GPU asked for where there is none fails before pooling, even with
        // the hashing embedder, which never touches the device itself.
        if (distill::compute_info().cuda_devices == 0) {
            p = demo();
            p.pipeline.embed.device = "cuda";
            why = error_of([&] { distill::run_pipeline(p, d); });
            QVERIFY2(contains(why, "pipeline.device is cuda, but libtorch") && contains(why, "no CUDA device"),
                     why.c_str());
            QVERIFY(!fs::exists(fs::path(d) / ".distill-cache" / "embeddings"));
        }
    }

    // A record the preset cannot format (here gsm8k rows with an extra
    // column, which gsm8k's rule does not take) fails the run in the corpus
    // stage, naming the file, the source and how many, before any embedding.
    // Row 7's question comes again in a later source, whose record wins the
    // pooling: only the two records left in the corpus count.
    void recordsThePresetCannotFormatFailBeforeEmbedding() {
        auto p = demo();
        QCOMPARE(p.sources.front().name, std::string("gsm8k"));
        const fs::path gsm8k = fs::path(p.resolved_sources().front().path);
        const std::string edited = out("gsm8k_with_ids.jsonl");
        {
            std::ifstream in(gsm8k);
            std::ofstream o(edited);
            std::string line;
            for (int i = 0; std::getline(in, line); ++i) {
                auto record = nlohmann::ordered_json::parse(line);
                if (i == 3 || i == 5 || i == 7) record["id"] = i;
                o << record.dump() << "\n";
            }
        }
        p.sources.front().path = edited;
        const std::string d = out("unformattable");
        try {
            distill::run_pipeline(p, d);
            QFAIL("no error for records the math preset cannot format");
        } catch (const distill::Error& e) {
            const std::string what = e.what();
            QVERIFY2(what.rfind(edited + ": 2 of the ", 0) == 0, e.what());
            QVERIFY2(what.find("records of source 'gsm8k' cannot be formatted with the math preset") != std::string::npos,
                     e.what());
            QVERIFY2(what.find("\"id\"") != std::string::npos && what.find("gsm8k (question+answer only)") != std::string::npos,
                     e.what());
        }
        QVERIFY(!fs::exists(fs::path(d) / ".distill-cache" / "embeddings"));

        // A template naming a field that only MathInstruct's records have.
        p = demo();
        auto preset = *distill::find_prompt_preset("math");
        preset.prompt.shot = "Q ({source}): {question}\nA: {answer}\n\n";
        const std::string preset_path = out("source-field.prompt.json");
        std::ofstream(preset_path) << distill::to_json(preset).dump(2);
        p.pipeline.prompt = preset_path;
        try {
            distill::run_pipeline(p, d);
            QFAIL("no error for a template field the records lack");
        } catch (const distill::Error& e) {
            const std::string what = e.what();
            QVERIFY2(what.rfind(p.resolved_sources().front().path + ": 830 of the 830 records of source 'gsm8k'", 0) == 0,
                     e.what());
            QVERIFY2(what.find("has no field \"source\", which the template's {source} uses") != std::string::npos,
                     e.what());
        }
        QVERIFY(!fs::exists(fs::path(d) / ".distill-cache" / "embeddings"));

        // Recognised, but the rule cannot convert it: TAL-SCQ5K's
        // answer_analysis must start with a string.
        p = demo();
        QCOMPARE(p.sources[2].name, std::string("TAL-SCQ5K-EN"));
        const std::string tal = out("tal_empty_analysis.jsonl");
        {
            std::ifstream in(p.resolved_sources()[2].path);
            std::ofstream o(tal);
            std::string line;
            for (int i = 0; std::getline(in, line); ++i) {
                auto record = nlohmann::ordered_json::parse(line);
                if (i == 0) record["answer_analysis"] = nlohmann::ordered_json::array();
                o << record.dump() << "\n";
            }
        }
        p.sources[2].path = tal;
        const std::string why = error_of([&] { distill::run_pipeline(p, d); });
        QVERIFY2(why.rfind(tal + ": 1 of the ", 0) == 0 && contains(why, "looks like a tal_scq5k record, but"),
                 why.c_str());
        QVERIFY(!fs::exists(fs::path(d) / ".distill-cache" / "embeddings"));

        // A field only in the shot text, with no shots ever used, is not needed.
        p = demo();
        preset.prompt.max_shots = 0;
        std::ofstream(preset_path) << distill::to_json(preset).dump(2);
        p.pipeline.prompt = preset_path;
        QCOMPARE(distill::run_pipeline(p, d).stages.size(), distill::pipeline_stages().size());
    }

    void settingsRoundTripThroughTheProjectFile() {
        auto p = demo();
        p.pipeline.threshold = 0.6;
        p.pipeline.embedder = "npy:vectors.npy";
        p.pipeline.valid_fraction = 0.1;
        const std::string path = out("roundtrip.distill.json");
        distill::save_project(p, path);
        QVERIFY(read_file(path).find("approximate") == std::string::npos);  // off: not written
        p.pipeline.approximate = true;
        distill::save_project(p, path);
        const auto back = distill::load_project(path);
        QVERIFY(back.pipeline.approximate);
        QCOMPARE(back.pipeline.threshold, 0.6);
        QCOMPARE(back.pipeline.embedder, std::string("npy:vectors.npy"));
        QCOMPARE(back.pipeline.valid_fraction, 0.1);
        QCOMPARE(back.pipeline.tokenizer, llama_tokenizer_path());

        // A typo in a setting is an error naming it, not a silent default.
        std::ofstream(path) << R"({"distill_project": 1, "domain": "math", "pipeline": {"treshold": 0.5}})";
        try {
            distill::load_project(path);
            QFAIL("no error for an unknown setting");
        } catch (const distill::Error& e) {
            QVERIFY2(std::string(e.what()).find("treshold") != std::string::npos, e.what());
        }

        // A count that does not fit its setting is refused, not wrapped round
        // or truncated into another number.
        const std::vector<std::pair<std::string, std::string>> bad_counts{
            {R"("pipeline": {"sample_size": -5})", "'sample_size' is -5; expected a whole number from 0 to "},
            {R"("pipeline": {"seed": 1180591620717411303424})", "'seed' is 1.1805916207174113e+21; expected a whole"},
            {R"("pipeline": {"max_seq_len": 1e12})", "'max_seq_len' is 1000000000000.0; expected a whole number"},
            {R"("pipeline": {"min_community_size": 2.5})", "'min_community_size' is 2.5; expected a whole"},
            {R"("pipeline": {"batch_size": -3})", "'batch_size' must be 0 (the embedder chooses) or more"},
            {R"("fewshot": {"k": -1})", "fewshot: 'k' is -1; expected a whole number from 0 to "},
            {R"("fewshot": {"k": 0})", "fewshot: 'k' is 0; it is the number of shots per question, 1 or more"},
        };
        for (const auto& [setting, expected] : bad_counts) {
            std::ofstream(path) << R"({"distill_project": 1, "domain": "math", )" << setting << "}";
            const std::string why = error_of([&] { distill::load_project(path); });
            QVERIFY2(contains(why, expected), (setting + " -> " + why).c_str());
            QVERIFY2(contains(why, "fix the project file"), why.c_str());
        }
    }
};

QTEST_GUILESS_MAIN(TestPipeline)
#include "test_pipeline.moc"
