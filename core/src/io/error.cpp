#include "distill/error.h"
#include "distill/progress.h"

#include <utility>

namespace distill {

std::string located_message(const std::string& path, std::size_t line, const std::string& problem,
                            const std::string& fix) {
    std::string out = path;
    if (line > 0) out += ":" + std::to_string(line);
    out += ": " + problem;
    if (!fix.empty()) out += "; " + fix;
    return out;
}

InputError::InputError(std::string path_, std::size_t line_, std::string problem_, std::string fix_)
    : Error(located_message(path_, line_, problem_, fix_)), path(std::move(path_)), line(line_),
      problem(std::move(problem_)), fix(std::move(fix_)) {}

void throw_if_cancelled(const ProgressSink* sink) {
    if (sink && sink->cancel_requested()) throw Cancelled();
}

}  // namespace distill
