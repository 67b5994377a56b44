#pragma once
// Per-stage cache of the pipeline runner: DIR/.distill-cache/STAGE.key holds
// the key of the outputs a stage last completed. The key is removed before a
// stage runs and written after all its outputs are in place, so an
// interrupted stage (crash, cancel, full disk) never looks complete.
#include <string>
#include <vector>

namespace distill::pipeline {

// One run at a time per output folder: the cache holds an exclusive lock on
// DIR/.distill-cache/lock while it lives. Two runs into one folder (a job
// array given the same --output-dir, the GUI and a script) would otherwise
// interleave outputs and keys, and one run's key could vouch for the other's
// outputs. The kernel drops the lock when the process ends, crash included.
class StageCache {
public:
    // Throws distill::Error when another run holds the folder.
    explicit StageCache(std::string output_dir);
    ~StageCache();
    StageCache(const StageCache&) = delete;
    StageCache& operator=(const StageCache&) = delete;

    // True when the stage's last completed run had this key and each of its
    // outputs (paths relative to the output folder) still exists.
    bool fresh(const std::string& stage, const std::string& key, const std::vector<std::string>& outputs) const;
    void begin(const std::string& stage) const;   // forgets the stage's key
    void commit(const std::string& stage, const std::string& key) const;

    const std::string& output_dir() const { return output_dir_; }
    std::string path(const std::string& relative) const;  // inside the output folder
    std::string cache_path(const std::string& name) const;  // inside .distill-cache/

private:
    std::string output_dir_;
    int lock_fd_ = -1;
};

}  // namespace distill::pipeline
