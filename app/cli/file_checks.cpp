#include "file_checks.h"

#include <filesystem>
#include <system_error>

#include "distill/atomic_file.h"
#include "distill/error.h"

namespace distill::cli {
namespace fs = std::filesystem;

namespace {

bool same_file(const fs::path& a, const fs::path& b) {
    std::error_code error;
    if (fs::exists(a, error) && fs::exists(b, error)) return fs::equivalent(a, b, error);  // hard links too
    const fs::path canonical_a = fs::weakly_canonical(a, error);
    if (error) return false;
    const fs::path canonical_b = fs::weakly_canonical(b, error);
    return !error && canonical_a == canonical_b;
}

std::string named(const NamedPath& p) { return p.option + " " + p.path; }

}  // namespace

void check_files(const std::vector<NamedPath>& outputs, const std::vector<NamedPath>& inputs) {
    for (const NamedPath& in : inputs) {
        std::error_code error;
        if (!in.path.empty() && fs::is_directory(in.path, error))
            throw Error(named(in) + ": is a folder; give a file");
    }
    for (std::size_t i = 0; i < outputs.size(); ++i) {
        const NamedPath& out = outputs[i];
        if (out.path.empty()) continue;
        const fs::path path(out.path);
        std::error_code error;
        if (fs::is_directory(path, error))
            throw Error(named(out) + ": is a folder; give a file name in it");
        try {
            check_output_folder(out.path);
        } catch (const Error& e) {
            throw Error(out.option + " " + e.what());
        }
        for (const NamedPath& in : inputs)
            if (!in.path.empty() && same_file(path, in.path))
                throw Error(named(out) + ": is also " + named(in) +
                            ", which would be overwritten by its own output; write to another file");
        for (std::size_t j = 0; j < i; ++j)
            if (!outputs[j].path.empty() && same_file(path, outputs[j].path))
                throw Error(named(out) + ": is also " + named(outputs[j]) + "; give each output its own file");
    }
}

}  // namespace distill::cli
