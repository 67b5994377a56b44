#pragma once
// Errors a user can act on. Every message says where (file, line when there
// is one), what was expected, and what to do about it, in one line, because
// the CLI prints it as its one-line reason and the GUI shows it verbatim.
#include <cstddef>
#include <stdexcept>
#include <string>

namespace distill {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Raised by a stage that saw ProgressSink::cancel_requested(); whatever the
// stage was writing has been removed when this propagates.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

// "PATH:LINE: PROBLEM; FIX" (":LINE" left out when line is 0).
std::string located_message(const std::string& path, std::size_t line,
                            const std::string& problem, const std::string& fix);

// A bad row of an input file, its located_message as what(), with the parts
// kept: a caller that reads the file for another purpose than its reader
// assumes (a pooled corpus read back as the questions of a map, not as a
// source) gives its own fix in place of the reader's.
class InputError : public Error {
public:
    InputError(std::string path, std::size_t line, std::string problem, std::string fix);
    const std::string path;
    const std::size_t line;
    const std::string problem, fix;
};

}  // namespace distill
