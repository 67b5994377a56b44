#include "distill/error.h"
#include "distill/progress.h"

namespace distill {

std::string located_message(const std::string& path, std::size_t line, const std::string& problem,
                            const std::string& fix) {
    std::string out = path;
    if (line > 0) out += ":" + std::to_string(line);
    out += ": " + problem;
    if (!fix.empty()) out += "; " + fix;
    return out;
}

void throw_if_cancelled(const ProgressSink* sink) {
    if (sink && sink->cancel_requested()) throw Cancelled();
}

}  // namespace distill
