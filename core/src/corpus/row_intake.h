#pragma once
// Where every reader hands its rows. The readers only know their syntax;
// mapping the columns, the bad-input policy, the problem list, progress and
// cancellation live here once, so all formats behave the same.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "distill/corpus.h"

namespace distill::corpus {

class RowIntake {
public:
    RowIntake(const SourceSpec& source, BadInputPolicy policy,
              const std::function<void(Record&&)>& sink, std::vector<InputProblem>* problems,
              ProgressSink* progress, std::uint64_t file_bytes);

    // A parsed row that ends (JSON) or starts (CSV) at `line`: mapped and
    // passed to the sink, or rejected when it cannot become a record.
    void accept(std::size_t line, Record&& row);

    // A line or row that cannot become a record: thrown as distill::Error
    // under Abort; counted and kept under Skip.
    void reject(std::size_t line, const std::string& problem, const std::string& fix);

    // A problem after which the rest of the file cannot be read (a bad CSV
    // header, a syntax error inside a JSON array). Skipping would lose an
    // unknown number of rows and make the skipped count a lie, so it is an
    // error under either policy.
    [[noreturn]] void fail(std::size_t line, const std::string& problem,
                           const std::string& fix) const;

    // `bytes` of the file have been read: reports progress and honours
    // cancel, both about every MiB.
    void consumed(std::uint64_t bytes);

    // The end of the file: a file that gave no record is a problem of the
    // whole file (line 0), handled by the policy like a bad line.
    SourceReport finish();

private:
    void keep_problem(std::size_t line, const std::string& problem, const std::string& fix);
    void report_progress(std::uint64_t bytes);

    const SourceSpec& source_;
    BadInputPolicy policy_;
    const std::function<void(Record&&)>& sink_;
    std::vector<InputProblem>* problems_;
    ProgressSink* progress_;
    std::uint64_t last_progress_ = 0;
    SourceReport report_;
};

}  // namespace distill::corpus
