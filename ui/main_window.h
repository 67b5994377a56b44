#pragma once
// Distill Studio's main window: the domain presets on the left and three
// tabs on the right: the project (name, domain, sources) with what its
// corpus load found, the run (its settings, a threshold sweep of the last
// run's embeddings, output folder, Run and Cancel, each stage's state), and
// the last run's cluster map and few-shot picks. The corpus load
// and the pipeline run in the background; the window only shows progress.
#include <QMainWindow>
#include <QPointer>

#include <memory>
#include <optional>

#include "distill/corpus.h"
#include "distill/pipeline.h"
#include "distill/project.h"
#include "user_prompts.h"

class QAction;
class QLabel;
class QMenu;
class QProgressBar;
class QLineEdit;
class QPushButton;
class QTabWidget;
class QToolButton;

namespace distill::ui {

class ClusterMapView;
class CorpusLoader;
class CorpusSummaryView;
class DomainPresetList;
class FewShotView;
class PipelineRunner;
class PipelineSettingsView;
class ProjectView;
class PromptTemplateEditor;
class StageListView;
class ThresholdSweepView;
struct PipelineOutcome;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // Without `prompts` it asks with ordinary modal dialogs.
    explicit MainWindow(std::unique_ptr<UserPrompts> prompts = nullptr, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Shows the project file at `path`, replacing the current project
    // without asking (File → Open asks first). Reports a failure through the
    // prompts and returns false.
    bool openProject(const QString& path);
    // Saves to `path` and makes it the project's file; false (reported) on failure.
    bool saveProjectAs(const QString& path);

    // The project as currently edited.
    Project project() const;
    // The last loaded corpus; null before a load and while one runs.
    std::shared_ptr<const Corpus> corpus() const { return corpus_; }
    bool isCorpusLoading() const;

    // Reads the project's sources in the background. Ends with
    // corpusLoadFinished(), also when nothing could start.
    void loadCorpus();
    void cancelCorpusLoad();

    // Runs every stage of the project into outputDir() in the background.
    // Ends with runFinished(), also when nothing could start.
    void runPipeline();
    // Asks for a folder, runs (reusing every unchanged stage) and copies the
    // export's lit-gpt files there (distill::publish_export): the output
    // folder keeps the stage cache, the export folder only what training
    // reads. Ends with runFinished(), also when nothing could start.
    void exportProject();
    // Where the last Export in this window copied to; empty before one. The
    // next Export of a saved project starts at its last export folder, which
    // the application settings keep.
    QString exportDir() const { return exportDir_; }
    void cancelRun();
    bool isRunning() const;
    // Where a run writes; by default <project folder>/out/<project name>,
    // empty for a project never saved until the user chooses one.
    QString outputDir() const;
    void setOutputDir(const QString& dir);
    // Brings the cluster map tab to the front.
    void showClusterMap();

signals:
    // A corpus load ended: loaded, or failed, aborted or cancelled. Emitted
    // once per loadCorpus() call, after any retry the user chose.
    void corpusLoadFinished(bool loaded);
    // A run ended: finished (the map shows it), or failed or cancelled.
    void runFinished(bool finished);
    // Opening a project, or choosing an output folder, that holds a run
    // shows that run while it fits the project as it is (every stage
    // cached): shown, or not (out of date, failed or cancelled; the status
    // bar says why).
    void lastRunShown(bool shown);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createMenus();
    void createToolBar();
    void createCentralArea();
    QWidget* createRunTab();
    void createStatusBar();
    // Whether a run may start now; when not, says why (under `errorTitle`)
    // and emits runFinished(false).
    bool canStartRun(const QString& errorTitle);
    void startRun(const QString& exportDir);

    void newProject(const Project& project);
    void openWithChooser();
    bool save();
    bool saveWithChooser();
    // True when the current project may be replaced: it is unchanged, or
    // the user saved or discarded the changes.
    bool mayReplaceProject();
    void showProject(const Project& project, const QString& path);
    // File → Open Recent: `path` (absolute) first in the remembered list.
    void rememberRecent(const QString& path);
    void fillRecentMenu();
    void offerToStartFrom(const DomainPreset& preset);
    QString displayName() const;
    void updateTitle();
    void showAbout();
    // Shows the prompt template the project names in the template editor,
    // unless it is the one shown already; unsaved edits stay unless `discardEdits`.
    void showSavedTemplate(bool discardEdits);
    // Writes the edited template for the project about to be saved at
    // `projectFile` and points `project`'s pipeline.prompt at it; false
    // (reported) when it cannot be written.
    bool saveTemplate(Project& project, const QString& projectFile);
    // Writes the template as edited to `path` atomically; false (reported)
    // on failure. `nameAfterFile`: the preset takes the file's name (Save
    // As makes a new template; an edited built-in is always renamed).
    bool writeTemplate(const QString& path, bool nameAfterFile);
    // Writes the template to a file the curator chooses, makes it the
    // project's pipeline.prompt and saves the project, as Save does.
    void saveTemplateAs();
    // A threshold sweep's row chosen: the project's threshold and min size,
    // once the curator agreed to leave k-means if the project uses it.
    void useSweptThreshold(double threshold, std::size_t minSize);
    // Asks where, then saves the cluster map as shown as a PNG.
    void saveMapImage();

    void setLoading(bool loading);
    // The status bar's bar: the load's or the running stage's share done.
    void showProgressBar(quint64 done, quint64 total);
    // The status bar during a run, on every tab: "[3/8] cluster…", the
    // stage's progress and Cancel.
    void showRunStage(const StageEvent& event);
    // The status bar's line for what the run does now (PipelineWorker::progress).
    void showRunActivity(int stageIndex, const QString& activity);
    void onCorpusLoaded(std::shared_ptr<const Corpus> corpus);
    void onCorpusLoadFailed(const QString& message);
    void onCorpusLoadCancelled();

    // Disables whatever would change the project under a load or a run.
    void updateEnabled();
    void setRunning(bool running);
    void chooseOutputDir();
    void showDefaultOutputDir();
    void onRunFinished(std::shared_ptr<const PipelineOutcome> outcome);
    void onRunFailed(const QString& message);
    void onRunCancelled();
    // Shows the output folder's last run in the background (load_last_run)
    // when the folder holds one: what a curator expects on opening a
    // project, without pressing Run.
    void showLastRun();
    void onLastRunOutdated(const QString& stage);
    // Shows the banner over the tabs while the run the views show is not
    // what the project's settings and sources would make now.
    void updateStaleRunBanner();
    // Called first when an opening ends, however it ends: false when the
    // window is to show that end; true when a Run asked for meanwhile has
    // taken over (it starts now, or ends as cancelled if it was cancelled).
    bool endLastRunOpening();
    // The status bar's label, bar and Cancel for the background job at hand
    // (a corpus load, a run, an opening), or hidden when none.
    void showJobInStatusBar(bool active, const QString& label);

    std::unique_ptr<UserPrompts> prompts_;
    CorpusLoader* loader_;
    PipelineRunner* runner_;
    std::shared_ptr<const Corpus> corpus_;
    BadInputPolicy runningPolicy_ = BadInputPolicy::Abort;
    QString projectPath_;
    QPointer<QWidget> focusBeforeLoad_;

    DomainPresetList* presets_ = nullptr;
    ProjectView* projectView_ = nullptr;
    CorpusSummaryView* summary_ = nullptr;
    QLabel* progressLabel_ = nullptr;
    QProgressBar* progressBar_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QTabWidget* tabs_ = nullptr;
    PipelineSettingsView* settingsView_ = nullptr;
    QLineEdit* outputDir_ = nullptr;
    QToolButton* browseOutputDir_ = nullptr;
    bool outputDirChosen_ = false;  // by the user, so saving does not move it
    bool loading_ = false;
    bool running_ = false;
    bool showingLastRun_ = false;  // the runner's job is showLastRun(), not a run
    QString lastRunDir_;           // the folder it opens
    // Run (or Export, with its folder) pressed while an opening ran: started
    // once the opening has stopped. running_ is already set.
    std::optional<QString> pendingRun_;
    std::string jobInputs_;       // runInputsOf() the project the runner's job was given
    std::string shownRunInputs_;  // ... of the run the views show; empty when none
    QLabel* staleRunBanner_ = nullptr;
    QPushButton* runButton_ = nullptr;
    QPushButton* cancelRunButton_ = nullptr;
    StageListView* stages_ = nullptr;
    ThresholdSweepView* sweep_ = nullptr;
    ClusterMapView* map_ = nullptr;
    FewShotView* fewShots_ = nullptr;
    PromptTemplateEditor* template_ = nullptr;
    std::string templateShown_;  // which template the editor shows as saved (see showSavedTemplate)

    QAction* newAction_ = nullptr;
    QMenu* newFromPresetMenu_ = nullptr;
    QMenu* recentMenu_ = nullptr;
    QAction* openAction_ = nullptr;
    QAction* saveAction_ = nullptr;
    QAction* saveAsAction_ = nullptr;
    QAction* quitAction_ = nullptr;
    QAction* loadCorpusAction_ = nullptr;
    QAction* runAction_ = nullptr;
    QAction* exportAction_ = nullptr;
    QAction* findAction_ = nullptr;
    QAction* aboutAction_ = nullptr;
    QString exportDir_;
    QPushButton* openExportFolderButton_ = nullptr;
};

}  // namespace distill::ui
