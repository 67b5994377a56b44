#pragma once
// Distill Studio's main window: the domain presets on the left, the project
// (name, domain, sources) and what its corpus load found on the right, the
// File menu, and the corpus load running in the background with its
// progress and a Cancel button in the status bar.
#include <QMainWindow>
#include <QPointer>

#include <memory>

#include "distill/corpus.h"
#include "distill/project.h"
#include "user_prompts.h"

class QAction;
class QLabel;
class QMenu;
class QProgressBar;
class QPushButton;

namespace distill::ui {

class CorpusLoader;
class CorpusSummaryView;
class DomainPresetList;
class ProjectView;

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

signals:
    // A corpus load ended: loaded, or failed, aborted or cancelled. Emitted
    // once per loadCorpus() call, after any retry the user chose.
    void corpusLoadFinished(bool loaded);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createMenus();
    void createToolBar();
    void createCentralArea();
    void createStatusBar();

    void newProject(const Project& project);
    void openWithChooser();
    bool save();
    bool saveWithChooser();
    // True when the current project may be replaced: it is unchanged, or
    // the user saved or discarded the changes.
    bool mayReplaceProject();
    void showProject(const Project& project, const QString& path);
    void offerToStartFrom(const DomainPreset& preset);
    QString displayName() const;
    void updateTitle();
    void showAbout();

    void setLoading(bool loading);
    void showLoadProgress(quint64 done, quint64 total);
    void onCorpusLoaded(std::shared_ptr<const Corpus> corpus);
    void onCorpusLoadFailed(const QString& message);
    void onCorpusLoadCancelled();

    std::unique_ptr<UserPrompts> prompts_;
    CorpusLoader* loader_;
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

    QAction* newAction_ = nullptr;
    QMenu* newFromPresetMenu_ = nullptr;
    QAction* openAction_ = nullptr;
    QAction* saveAction_ = nullptr;
    QAction* saveAsAction_ = nullptr;
    QAction* quitAction_ = nullptr;
    QAction* loadCorpusAction_ = nullptr;
    QAction* aboutAction_ = nullptr;
};

}  // namespace distill::ui
