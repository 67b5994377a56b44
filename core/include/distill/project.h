#pragma once
// A project: the domain, its sources and every setting of a run, saved as one
// JSON file. The same file is the GUI's project and `distill run --config`'s
// pipeline config, so a curator's project can be re-run headless as is.
#include <string>
#include <vector>

#include "distill/corpus.h"
#include "distill/embedder.h"
#include "distill/fewshot.h"

namespace distill {

// Every setting of `distill run` after the sources (SPEC §9, issue 6), saved
// under "pipeline" in the project file. Defaults are the reference's.
struct PipelineSettings {
    // make_embedder's spec: "hashing", a model directory or "npy:PATH"
    // (relative paths are relative to the project file).
    std::string embedder = "hashing";
    EmbedOptions embed;
    std::string clustering = "community";  // or "kmeans"
    double threshold = 0.75;               // community detection
    std::size_t min_community_size = 10;
    // Approximate community detection (ApproximateSearch's defaults): far
    // faster on large corpora; the cluster stage's summary gives its recall.
    bool approximate = false;
    std::size_t kmeans_k = 100;            // k-means
    std::size_t sample_size = 1000;     // N questions kept
    std::uint64_t seed = 42;            // sampling and the train/valid shuffle
    // A prompt preset name or a preset JSON file; empty: the preset named
    // like the domain.
    std::string prompt;
    // The LLM's sentencepiece tokenizer.model; "~/" is the home folder.
    std::string tokenizer;
    int max_seq_len = 2048;
    bool mask_inputs = false;
    double valid_fraction = 0;          // share of rows in valid.pt; 0: none
};

// The "pipeline" block as saved (also written into export manifests).
nlohmann::ordered_json to_json(const PipelineSettings& settings);

struct Project {
    static constexpr int kFormatVersion = 1;

    std::string name;
    std::string domain;                    // a preset name or a user-named domain
    std::vector<SourceSpec> sources;       // paths as the user wrote them
    BadInputPolicy on_bad_line = BadInputPolicy::Abort;
    PipelineSettings pipeline;

    FewShotSettings fewshot;                // the "fewshot" block
    // Curators' hand edits of the few-shot picks, replayed on every run
    // ("fewshot_edits"; absent from the file when there are none).
    std::vector<FewShotEdit> fewshot_edits;

    // Folder of the project file; relative source paths are resolved against
    // it so a project folder can be moved or shared. Empty for a new project.
    std::string base_dir;

    // The source's path made absolute (relative to base_dir when relative).
    std::string resolved_path(const SourceSpec& source) const;
    // The sources with resolved paths, ready for pool_sources().
    std::vector<SourceSpec> resolved_sources() const;
    // A path setting made absolute: "~/" is the home folder, other relative
    // paths are relative to base_dir. Empty stays empty.
    std::string resolve(const std::string& path) const;
};

// A new project on a preset's sources (paths still empty).
Project project_from_preset(const DomainPreset& preset);

// Reads a project file. Throws distill::Error naming the file, the line and
// the key for malformed JSON, unknown keys (typos), wrong types, or a newer
// format version.
Project load_project(const std::string& path);

// Writes the project atomically (temp file + rename): an interrupted save
// leaves the previous file intact. Source paths inside the project's folder
// are stored relative to it. Sets project.base_dir to the file's folder.
void save_project(Project& project, const std::string& path);

}  // namespace distill
