#pragma once
// Where an export's files are written before they are put in place, shared by
// export_dataset (which makes them) and publish_export (which copies them).
#include <filesystem>
#include <string>

namespace distill::exporting {

// A hidden folder inside the output folder that every file is written into
// first, so the final renames stay on one file system (and so atomic), and
// a failed or cancelled export is removed with the folder.
class StagingFolder {
public:
    // Creates `output_dir` when missing. Throws distill::Error saying what to
    // do when it cannot be created or written.
    explicit StagingFolder(const std::filesystem::path& output_dir);
    ~StagingFolder();
    StagingFolder(const StagingFolder&) = delete;
    StagingFolder& operator=(const StagingFolder&) = delete;

    std::filesystem::path file(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

// Renames a finished file over its target; throws distill::Error naming it.
void move_into_place(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace distill::exporting
