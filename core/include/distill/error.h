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

}  // namespace distill
