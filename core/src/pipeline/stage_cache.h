#pragma once
// Per-stage cache of the pipeline runner: DIR/.distill-cache/STAGE.key holds
// the key of the outputs a stage last completed and the content hash of each
// of those outputs. The key is removed before a stage runs and written after
// all its outputs are in place, so an interrupted stage (crash, cancel, full
// disk) never looks complete; the hashes make an output edited, truncated or
// replaced since then a reason to run the stage again, never a result that is
// silently reused or that stops the run.
#include <string>
#include <vector>

#include "distill/pipeline.h"

namespace distill::pipeline {

// The cache lives in a folder its caller holds (OutputFolderLock), so no
// other run's keys and outputs interleave with this one's.
class StageCache {
public:
    explicit StageCache(const OutputFolderLock& folder);

    // True when the stage's last completed run had this key and each of its
    // outputs (paths relative to the output folder) is still what it wrote.
    bool fresh(const std::string& stage, const std::string& key, const std::vector<std::string>& outputs) const;
    void begin(const std::string& stage) const;  // forgets the stage's key
    // Records the key and the hashes of the outputs the stage has written.
    void commit(const std::string& stage, const std::string& key, const std::vector<std::string>& outputs) const;

    const std::string& output_dir() const { return output_dir_; }
    std::string path(const std::string& relative) const;    // inside the output folder
    std::string cache_path(const std::string& name) const;  // inside .distill-cache/

private:
    // The key file's content: the key, then each output's hash.
    std::string record(const std::string& key, const std::vector<std::string>& outputs) const;

    std::string output_dir_;
    bool run_;  // held for a run, so key files may be rewritten (not by a reader)
};

}  // namespace distill::pipeline
