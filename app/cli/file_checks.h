#pragma once
// Checks of a command's files before it does any work. A command that writes
// several files (--output and --report, --map, --conversations) writes them
// one after another, so a --report into a missing folder used to fail after
// --output had already been replaced; and an --output naming the --input
// replaced the very file it was read from.
#include <string>
#include <vector>

namespace distill::cli {

// An option and the path given to it; an empty path is an option not given.
struct NamedPath {
    std::string option;  // "--output"
    std::string path;
};

// Throws distill::Error naming the option and the fix unless no input is a
// folder, every output can be created (its folder exists, it is not a folder
// itself) and no output is one of the inputs or another output (links and
// relative paths resolved). An input that does not exist is left to its
// reader, which says more; a model folder is not an input here.
void check_files(const std::vector<NamedPath>& outputs, const std::vector<NamedPath>& inputs);

}  // namespace distill::cli
