#pragma once
// A project: the domain, its sources and every setting of a run, saved as one
// JSON file. The same file is the GUI's project and `distill run --config`'s
// pipeline config, so a curator's project can be re-run headless as is.
#include <string>
#include <vector>

#include "distill/corpus.h"
#include "distill/fewshot.h"

namespace distill {

struct Project {
    static constexpr int kFormatVersion = 1;

    std::string name;
    std::string domain;                    // a preset name or a user-named domain
    std::vector<SourceSpec> sources;       // paths as the user wrote them
    BadInputPolicy on_bad_line = BadInputPolicy::Abort;

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
