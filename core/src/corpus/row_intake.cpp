#include "corpus/row_intake.h"

#include <utility>

#include "corpus/column_mapping.h"
#include "corpus/text.h"
#include "distill/error.h"

namespace distill::corpus {

namespace {

// Often enough for a smooth bar and a prompt cancel (~10 ms of parsing),
// rarely enough to cost nothing.
constexpr std::uint64_t kProgressStep = std::uint64_t{1} << 20;
constexpr std::string_view kStage = "corpus";

}  // namespace

RowIntake::RowIntake(const SourceSpec& source, BadInputPolicy policy,
                     const std::function<void(Record&&)>& sink, std::vector<InputProblem>* problems,
                     ProgressSink* progress, std::uint64_t file_bytes)
    : source_(source), policy_(policy), sink_(sink), problems_(problems), progress_(progress) {
    report_.name = source.name;
    report_.path = source.path;
    report_.bytes = file_bytes;
}

void RowIntake::accept(std::size_t line, Record&& row) {
    if (!row.is_object()) {
        reject(line, "expected a JSON object, found " + describe_type(row),
               "make each record one JSON object");
        return;
    }
    if (auto problem = map_columns(row, source_.columns)) {
        reject(line, problem->problem, problem->fix);
        return;
    }
    sink_(std::move(row));
    ++report_.records;
}

void RowIntake::reject(std::size_t line, const std::string& problem, const std::string& fix) {
    if (policy_ == BadInputPolicy::Abort) fail(line, problem, fix);
    ++report_.skipped;
    keep_problem(line, problem, fix);
}

void RowIntake::keep_problem(std::size_t line, const std::string& problem, const std::string& fix) {
    if (problems_ && problems_->size() < CorpusReport::kMaxKeptProblems)
        problems_->push_back({source_.path, line, problem + "; " + fix});
}

void RowIntake::fail(std::size_t line, const std::string& problem, const std::string& fix) const {
    throw InputError(source_.path, line, problem, fix);
}

void RowIntake::consumed(std::uint64_t bytes) {
    if (bytes - last_progress_ >= kProgressStep) report_progress(bytes);
}

void RowIntake::report_progress(std::uint64_t bytes) {
    last_progress_ = bytes;
    if (!progress_) return;
    progress_->update(kStage, bytes, report_.bytes);
    throw_if_cancelled(progress_);
}

SourceReport RowIntake::finish() {
    report_progress(report_.bytes);
    if (report_.records == 0) {
        // Not counted in `skipped`: no line was left out, the file as a
        // whole is the problem.
        const std::string problem = report_.skipped == 0 ? std::string("the file holds no records")
                                                         : "no usable records: all " +
                                                               std::to_string(report_.skipped) +
                                                               " rows were left out";
        const std::string fix = "check the file and its format";
        if (policy_ == BadInputPolicy::Abort) fail(0, problem, fix);
        keep_problem(0, problem, fix);
    }
    return report_;
}

}  // namespace distill::corpus
