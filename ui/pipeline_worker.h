#pragma once
// Runs distill::run_pipeline on a PipelineRunner's thread: the GUI thread
// never calls into the pipeline (and so never into libtorch).
#include <memory>
#include <string>
#include <vector>

#include "background_job.h"
#include "distill/cluster_map.h"
#include "distill/corpus.h"
#include "distill/export.h"
#include "distill/format.h"
#include "distill/llm_tokenizer.h"
#include "distill/pipeline.h"
#include "distill/project.h"
#include "question_index.h"

namespace distill::ui {

// What a finished run leaves for the views: the runner's account, the
// cluster map it wrote and the pooled corpus's records, one per map row
// (whole records: a shot the curator swaps in is previewed with its answer
// and other fields); the few-shot lines it wrote, the run's tokenizer (the
// prompt preview counts tokens with it) and the exported rows' token lengths.
struct PipelineOutcome {
    PipelineResult result;
    ClusterMap map;
    std::vector<Record> records;
    CorpusReport corpusReport;  // how pooling them went, for the Project tab's summary
    // Per row, the source its record came from (index into
    // corpusReport.sources): the map colours by it on request.
    std::vector<std::uint32_t> sourceOf;
    // The records' questions folded for finding by any part (the map's Find,
    // Replace Shot's filter): built with the outcome, off the GUI thread.
    QuestionIndex questionIndex;
    // The lines of <domain>_fewshot.jsonl, each shared and never changed:
    // the few-shot tab edits copies, and a background measure of the lines
    // as they were takes pointers, not 13k records' worth of copies.
    std::vector<std::shared_ptr<const Record>> fewshots;
    // The project's edits the run replayed into those lines (the view marks
    // the shots they pin).
    std::vector<FewShotEdit> fewshotEdits;
    // describe() of each of those the run could not apply (its origin no
    // longer sampled, its shot no longer picked), from the edits report.
    std::vector<std::string> unappliedEdits;
    std::shared_ptr<const SentencePieceTokenizer> tokenizer;
    TokenLengthStats tokenLengths;  // from the export manifest
    // When the run was an Export: the folder its lit-gpt files were copied
    // to (publish_export), the files, or why the copy failed or that it was
    // cancelled (the run itself finished, and the views show it).
    std::string exportDir;
    std::vector<std::string> exportedFiles;
    std::string exportError;
    bool exportCancelled = false;

    // The question of corpus row `row`, which every record has (the corpus
    // stage dedups by it).
    const std::string& question(std::size_t row) const {
        return records[row].at("question").get_ref<const std::string&>();
    }
};

class PipelineWorker : public BackgroundWorker {
    Q_OBJECT
public:
    using BackgroundWorker::BackgroundWorker;

    // Emits exactly one of finished(), failed() or cancelled(), preceded by
    // a stageEvent() at each stage's start and end and throttled progress().
    // With an exportDir, the export is then copied there; a cancel during
    // the copy leaves the run finished and the folder untouched.
    void run(const Project& project, const std::string& outputDir, const std::string& exportDir);
    // The folder's last run (load_last_run), as finished() would give it
    // after a run that found every stage cached; lastRunOutdated() instead
    // of failed() when a stage of it no longer fits the project.
    void showLastRun(const Project& project, const std::string& outputDir);

signals:
    void stageEvent(const distill::StageEvent& event);
    // Units of the stage at `stageIndex` (-1 before the first stage: the
    // wait for the output folder) and what it is doing ("communities:
    // approximate neighbours", as the CLI prints it); `total` 0 means unknown.
    void progress(int stageIndex, const QString& activity, quint64 done, quint64 total);
    // The run is done and its export is being copied to the Export's folder.
    void copyingExport();
    void finished(std::shared_ptr<const distill::ui::PipelineOutcome> outcome);
    // showLastRun's end when `stage` would have to run again (LastRunOutdated).
    void lastRunOutdated(const QString& stage);

private:
    // Runs the pipeline (or with loadOnly loads the last run) holding the
    // folder, and reads what the views show; then copies the export.
    void deliver(const Project& project, const std::string& outputDir, const std::string& exportDir, bool loadOnly);
};

}  // namespace distill::ui

Q_DECLARE_METATYPE(distill::StageEvent)
