#include "export/staging_folder.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>

#include "distill/error.h"

namespace distill::exporting {
namespace fs = std::filesystem;

StagingFolder::StagingFolder(const fs::path& output_dir) {
    std::error_code ec;
    fs::create_directories(output_dir, ec);
    if (ec)
        throw Error(output_dir.string() + ": cannot create the output folder (" + ec.message() +
                    "); choose another folder");
    std::string name = (output_dir / ".distill-export-XXXXXX").string();
    if (!::mkdtemp(name.data()))
        throw Error(output_dir.string() + ": cannot write in the output folder (" + std::strerror(errno) +
                    "); check its permissions or choose another folder");
    path_ = name;
}

StagingFolder::~StagingFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

void move_into_place(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::rename(from, to, ec);
    if (ec) throw Error(to.string() + ": cannot put the exported file in place (" + ec.message() + ")");
}

}  // namespace distill::exporting
