#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

#include <nlohmann/json.hpp>

#include "distill/atomic_file.h"
#include "distill/content_hash.h"
#include "distill/error.h"
#include "distill/export.h"
#include "distill/progress.h"
#include "export/staging_folder.h"

namespace distill {
namespace fs = std::filesystem;
namespace {

struct ListedFile {
    std::string name;
    std::uint64_t bytes = 0;
    std::string content_hash;
};

// The manifest's bytes (copied as read, so the file published is the one
// checked) and the data files it lists, with the size and hash each must have.
struct Manifest {
    std::string text;
    std::vector<ListedFile> outputs;
};

Manifest read_manifest(const fs::path& manifest_path) {
    std::ifstream in(manifest_path, std::ios::binary);
    if (!in)
        throw Error(manifest_path.string() + ": no export to copy (there is no manifest.json); run the pipeline "
                    "through its export stage first");
    Manifest manifest;
    manifest.text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    try {
        const auto parsed = nlohmann::json::parse(manifest.text);
        for (const auto& output : parsed.at("outputs")) {
            const auto name = output.at("file").get<std::string>();
            // A name, never a path: the copy must not leave the two folders.
            if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
                throw Error("its output \"" + name + "\" is not a file name");
            manifest.outputs.push_back(
                {name, output.at("bytes").get<std::uint64_t>(), output.at("xxh128").get<std::string>()});
        }
        if (manifest.outputs.empty()) throw Error("lists no outputs");
        return manifest;
    } catch (const std::exception& e) {
        throw Error(manifest_path.string() + ": not an export manifest (" + e.what() +
                    "); run the pipeline's export stage again");
    }
}

// Copies `from` to `to`, hashing what it reads, and checks the result against
// what the manifest recorded: a file changed after the export is refused.
void copy_checked(const fs::path& from, const fs::path& to, const ListedFile& listed, ProgressSink* progress,
                  std::uint64_t& done, std::uint64_t total) {
    std::ifstream in(from, std::ios::binary);
    if (!in) throw Error(from.string() + ": missing, though the export's manifest lists it; run the export again");
    ContentHasher hash;
    std::uint64_t bytes = 0;
    write_file_atomically(to.string(), [&](std::ostream& out) {
        std::vector<char> buffer(std::size_t(4) << 20);
        while (in) {
            in.read(buffer.data(), std::streamsize(buffer.size()));
            const auto got = std::size_t(in.gcount());
            if (got == 0) break;
            hash.update(buffer.data(), got);
            out.write(buffer.data(), std::streamsize(got));
            bytes += got;
            done += got;
            if (progress) progress->update("export", done, total);
            throw_if_cancelled(progress);
        }
        if (in.bad()) throw Error(from.string() + ": cannot be read to the end");
    });
    if (bytes != listed.bytes || hash.hex() != listed.content_hash)
        throw Error(from.string() + ": changed since it was exported (" + std::to_string(bytes) + " bytes, xxh128 " +
                    hash.hex() + "; the manifest says " + std::to_string(listed.bytes) + " bytes, " +
                    listed.content_hash + "); run the export again");
}

}  // namespace

std::vector<std::string> publish_export(const std::string& from_dir, const std::string& to_dir,
                                        ProgressSink* progress) {
    const fs::path from(from_dir), to(to_dir);
    const Manifest manifest = read_manifest(from / "manifest.json");
    const auto& outputs = manifest.outputs;
    std::vector<std::string> written;
    std::error_code ec;
    if (fs::equivalent(from, to, ec)) {
        for (const auto& f : outputs) written.push_back((to / f.name).string());
        written.push_back((to / "manifest.json").string());
        return written;
    }

    std::uint64_t total = 0, done = 0;
    for (const auto& f : outputs) total += f.bytes;
    const exporting::StagingFolder staging(to);
    for (const auto& f : outputs) copy_checked(from / f.name, staging.file(f.name), f, progress, done, total);
    write_file_atomically(staging.file("manifest.json").string(), [&](std::ostream& out) { out << manifest.text; });
    throw_if_cancelled(progress);

    // Commit as export_dataset does: each file renamed into place, the
    // manifest, which names their hashes, last (were the process killed
    // between two renames, the hashes would show which files are new).
    bool with_valid = false;
    for (const auto& f : outputs) {
        exporting::move_into_place(staging.file(f.name), to / f.name);
        written.push_back((to / f.name).string());
        with_valid = with_valid || f.name == "valid.pt";
    }
    if (!with_valid) fs::remove(to / "valid.pt", ec);  // an earlier export's, now stale
    exporting::move_into_place(staging.file("manifest.json"), to / "manifest.json");
    written.push_back((to / "manifest.json").string());
    return written;
}

}  // namespace distill
