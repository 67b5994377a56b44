#pragma once
// The pipeline runner (SPEC §9 `distill run`, issue 6): a project's stages,
// corpus -> embed -> cluster -> sample -> few-shot -> format -> export, one
// after the other into an output folder, each cached. The CLI and the GUI
// are two thin clients of it.
//
// Caching: every stage has a key, the content hash of its settings and of
// its input's key (the corpus's key is the hash of its records), written
// beside its output once that output is complete, with the content hash of
// each output. A stage whose key file matches and whose outputs are still
// what it wrote is loaded instead of run (an output edited by hand makes it
// run again), so a changed threshold re-runs clustering and what follows it, never the
// embedding; a changed source re-runs everything. Keys live in
// DIR/.distill-cache/, and the embedding cache (embed_cached) in its
// embeddings/ folder.
#include <cstddef>
#include <string>
#include <vector>

#include "distill/corpus.h"
#include "distill/error.h"
#include "distill/format.h"
#include "distill/progress.h"
#include "distill/project.h"

namespace distill {

// The stages, in order; their names are what progress reports.
const std::vector<std::string>& pipeline_stages();

struct StageEvent {
    enum Kind { Started, Cached, Finished };
    Kind kind = Started;
    std::string stage;      // one of pipeline_stages()
    std::size_t index = 0;  // its position, 0-based
    double seconds = 0;     // Finished: how long it ran
    std::string summary;    // Cached, Finished: one line for people ("812 communities covering ...")
};

// Progress of the stage at hand (through ProgressSink::update, with the
// stage's name) and a call at each stage's start and end.
class PipelineObserver : public ProgressSink {
public:
    virtual void stage_event(const StageEvent& event) { (void)event; }
};

struct PipelineResult {
    std::string output_dir;
    std::vector<StageEvent> stages;    // the Cached or Finished event of each stage, in order
    std::size_t corpus_records = 0;
    std::size_t communities = 0;
    std::size_t covered = 0;           // questions in some community
    std::size_t sampled = 0;
    std::size_t formatted = 0;         // records written to {domain}_prompt_data.jsonl
    std::size_t exported = 0;          // rows in train.pt + valid.pt
    std::vector<std::string> files;    // what the run wrote or kept, relative to output_dir
    // The embed stage's vectors (.npy, one row per corpus record): its entry
    // in the embedding cache, for reading them again without embedding.
    std::string embeddings_file;
    // The pooled corpus the run's rows are (the corpus stage's records, in
    // row order), for a caller that shows them: pooling again would cost
    // seconds at 700k rows.
    Corpus corpus;
};

// The preset the format stage of `project` uses: pipeline.prompt names a
// built-in preset or a preset JSON file (relative to the project's folder);
// empty means the preset named like the domain. Throws distill::Error saying
// what to set when there is none or the file does not load.
PromptPreset prompt_preset_of(const Project& project);

// One run at a time per output folder: an exclusive lock on
// DIR/.distill-cache/lock (the folder is created when missing) while this
// lives. Two runs into one folder (a job array given the same --output-dir,
// the GUI and a script) would otherwise interleave outputs and keys, and one
// run's key could vouch for the other's outputs. A caller that reads or
// copies a run's outputs after it (the GUI, publish_export) holds the lock
// across the run and those reads. The kernel drops it when the process ends,
// crash included; a file system without locks runs unguarded.
//
// Reading a finished run (load_last_run) takes the lock shared instead: it
// creates and writes nothing, so a folder the user may only read (a
// colleague's run on a read-only share) can be shown, and any number of
// readers share it. A run waits for the readers to let go (a load takes
// seconds; it gives up after a minute with an error saying so), but never
// for another run; a reader that comes while a run waits is refused as if
// the run held the folder, so readers cannot keep a run waiting.
class OutputFolderLock {
public:
    enum class Access { Run, Read };

    // Throws distill::Error naming the holder ("pid N on HOST") when another
    // run holds the folder, when readers kept it for a minute, or when it
    // cannot be made. Access::Read over a folder without .distill-cache/
    // holds nothing: there is no run to read. While it waits for readers it
    // says so through `progress` and throws Cancelled when that asks.
    explicit OutputFolderLock(std::string output_dir, Access access = Access::Run, ProgressSink* progress = nullptr);
    ~OutputFolderLock();
    OutputFolderLock(const OutputFolderLock&) = delete;
    OutputFolderLock& operator=(const OutputFolderLock&) = delete;

    const std::string& output_dir() const { return output_dir_; }
    Access access() const { return access_; }

private:
    std::string output_dir_;
    Access access_;
    int fd_ = -1;
};

// Runs every stage of `project` into the held folder. Throws distill::Error
// for bad settings or input (naming the file and the setting), Cancelled
// when the observer asks; either way the outputs of earlier complete stages
// stay valid and nothing partial is left. The folder must be held for a run
// (Access::Run).
PipelineResult run_pipeline(const Project& project, const OutputFolderLock& output_folder,
                            PipelineObserver* observer = nullptr);

// The same, holding `output_dir` for the run only.
PipelineResult run_pipeline(const Project& project, const std::string& output_dir,
                            PipelineObserver* observer = nullptr);

// Thrown by load_last_run when the folder's last run is not that of the
// project as it is now (or there is none): `stage` is the first stage a run
// would have to compute again, because its settings, its input or its
// outputs changed since.
class LastRunOutdated : public Error {
public:
    LastRunOutdated(const std::string& output_dir, std::string stage);
    const std::string stage;
};

// What the GUI shows on opening a project: the held folder's last run, when
// every stage of it is still fresh for `project`, reported as a run that
// found nothing to do reports it (the corpus pooled again to key it, as every
// run does, the other stages Cached). Computes nothing else and writes
// nothing: a stage that would have to run throws LastRunOutdated instead, so a
// run's outputs are never shown for settings or sources that no longer made
// them. Other errors (a source gone, a bad setting) are a run's errors.
// The folder may be held either way; Access::Read is enough.
PipelineResult load_last_run(const Project& project, const OutputFolderLock& output_folder,
                             PipelineObserver* observer = nullptr);

}  // namespace distill
