// `distill corpus`: pool a domain's sources into one deduplicated JSONL file;
// `distill presets`: list the built-in domains with their sources and columns.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "file_checks.h"
#include "distill/atomic_file.h"
#include "distill/corpus.h"
#include "distill/error.h"
#include "distill/project.h"
#include "terminal_progress.h"

namespace distill::cli {
namespace {

struct CorpusOptions {
    std::string project;
    std::vector<std::string> sources;
    std::string question = "question";
    std::string answer = "answer";
    std::string on_bad_line;  // empty: the project's setting, else abort
    std::string output;
    std::string report;
};

std::vector<SourceSpec> sources_from(const CorpusOptions& o, BadInputPolicy& policy) {
    if (!o.project.empty()) {
        const Project project = load_project(o.project);
        policy = project.on_bad_line;
        if (project.sources.empty())
            throw Error(o.project + ": the project has no sources; add some in Distill Studio or the file");
        return project.resolved_sources();
    }
    std::vector<SourceSpec> specs;
    for (const auto& path : o.sources) {
        SourceSpec s;
        s.name = path;
        s.path = path;
        s.columns = {o.question, o.answer};
        specs.push_back(s);
    }
    return specs;
}

void run_corpus(const CorpusOptions& o) {
    BadInputPolicy policy = BadInputPolicy::Abort;
    const auto specs = sources_from(o, policy);
    std::vector<NamedPath> inputs{{"--project", o.project}};
    for (const auto& s : specs) inputs.push_back({o.project.empty() ? "--source" : "the source", s.path});
    check_files({{"--output", o.output}, {"--report", o.report}}, inputs);
    if (!o.on_bad_line.empty()) policy = bad_input_policy_from_string(o.on_bad_line);

    TerminalProgress progress;
    const Corpus corpus = pool_sources(specs, policy, &progress);
    progress.finish();

    write_file_atomically(o.output, [&](std::ostream& out) {
        for (const auto& record : corpus.records) {
            throw_if_cancelled(&progress);
            out << record.dump() << '\n';
        }
    });
    const auto report = to_json(corpus.report, corpus.records.size());
    if (!o.report.empty())
        write_file_atomically(o.report, [&](std::ostream& out) { out << report.dump(2) << '\n'; });

    for (const auto& s : corpus.report.sources)
        std::fprintf(stderr, "%-24s %9zu records  %6zu skipped  %s\n", s.name.c_str(), s.records, s.skipped,
                     s.path.c_str());
    for (const auto& p : corpus.report.problems) std::fprintf(stderr, "skipped %s\n", p.to_string().c_str());
    std::fprintf(stderr, "pooled %zu records into %s (%zu duplicate questions replaced, %zu lines skipped)\n",
                 corpus.records.size(), o.output.c_str(), corpus.report.duplicates_replaced,
                 corpus.report.skipped());
}

void run_presets() {
    for (const auto& d : domain_presets()) {
        std::printf("%s: %s\n", d.name.c_str(), d.description.c_str());
        for (const auto& s : d.sources)
            std::printf("  %-22s question=%-16s answer=%-16s %s\n", s.name.c_str(), s.columns.question.c_str(),
                        s.columns.answer.c_str(), s.origin.c_str());
    }
}

}  // namespace

void add_corpus_commands(CLI::App& app) {
    auto o = std::make_shared<CorpusOptions>();
    auto* corpus = app.add_subcommand(
        "corpus", "Pool sources into one JSONL of {question, answer, ...} records, deduplicated by question "
                  "(a later source wins)");
    auto* project = corpus->add_option("--project", o->project, "A Distill Studio project file (its sources, "
                                                                "column maps and on_bad_line)");
    auto* source = corpus->add_option("--source", o->sources, "A source file (JSONL, JSON, CSV, TSV); "
                                                              "repeat in pooling order")
                       ->excludes(project);
    project->excludes(source);
    corpus->add_option("--question", o->question, "Question column of the --source files")->capture_default_str();
    corpus->add_option("--answer", o->answer, "Answer column of the --source files")->capture_default_str();
    corpus->add_option("--on-bad-line", o->on_bad_line,
                       "abort (default): stop at the first malformed line; skip: leave it out and count it")
        ->check(CLI::IsMember({"abort", "skip"}));
    corpus->add_option("--output", o->output, "The pooled JSONL file")->required();
    corpus->add_option("--report", o->report, "Also write counts and problems as JSON");
    corpus->callback([o, project, source] {
        if (!*project && !*source) throw CLI::RequiredError("--project or --source");
        run_corpus(*o);
    });

    app.add_subcommand("presets", "List the built-in domain presets with their sources and column maps")
        ->callback(run_presets);
}

}  // namespace distill::cli
