#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QGroupBox>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QToolButton>
#include <QToolBar>
#include <QUrl>
#include <QVBoxLayout>

#include <optional>
#include <utility>

#include "cluster_map_view.h"
#include "corpus_loader.h"
#include "corpus_summary_view.h"
#include "distill/atomic_file.h"
#include "distill/compute_info.h"
#include "distill/error.h"
#include "distill/pipeline.h"
#include "domain_preset_list.h"
#include "fewshot_view.h"
#include "pipeline_runner.h"
#include "pipeline_settings_view.h"
#include "project_view.h"
#include "prompt_template_editor.h"
#include "qt_strings.h"
#include "stage_list_view.h"
#include "threshold_sweep_view.h"

namespace distill::ui {
namespace {

// What stops a load before it starts, one line per source, so the user
// fixes every missing file at once instead of one per attempt.
QStringList problemsBeforeLoad(const Project& project) {
    if (project.sources.empty())
        return {MainWindow::tr("The project has no sources: start from a domain preset or add a source.")};
    QStringList problems;
    for (const SourceSpec& source : project.sources) {
        if (source.path.empty())
            problems << MainWindow::tr("%1: no file chosen; choose one or remove the source.").arg(qs(source.name));
        else if (const QString path = qs(project.resolved_path(source)); !QFileInfo(path).isFile())
            problems << MainWindow::tr("%1: file not found: %2").arg(qs(source.name), QDir::toNativeSeparators(path));
    }
    return problems;
}

// A path as the project file stores it: relative to the project's folder
// when inside it, as core stores source paths, so the folder moves whole.
QString storedPath(const QString& absolute, const QString& projectDir) {
    const QString relative = QDir(projectDir).relativeFilePath(absolute);
    const bool outside = relative == QLatin1String("..") || relative.startsWith(QLatin1String("../")) ||
                         QDir::isAbsolutePath(relative);
    return outside ? absolute : relative;
}

// The application settings' map of project file -> its last export folder.
constexpr auto kExportFoldersKey = "exportFolders";

QVariantMap rememberedExportFolders() { return QSettings().value(kExportFoldersKey).toMap(); }

// File → Open Recent: the project files last opened or saved, newest first.
constexpr auto kRecentProjectsKey = "recentProjects";
constexpr qsizetype kRecentProjects = 8;

// A project file as the map's key, however it was opened.
QString exportFolderKey(const QString& projectFile) { return QFileInfo(projectFile).absoluteFilePath(); }

// "train.pt, valid.pt, manifest.json" for the status bar.
QString fileNames(const std::vector<std::string>& paths) {
    QStringList names;
    for (const std::string& path : paths) names << QFileInfo(qs(path)).fileName();
    return names.join(QStringLiteral(", "));
}

// Where a project file's own prompt template goes: beside it, named like it
// ("demo.distill.json" -> "demo.prompt.json").
QString templateFileBeside(const QString& projectFile) {
    const QFileInfo file(projectFile);
    const QLatin1String projectSuffix(".distill.json");
    QString stem = file.fileName();
    if (stem.endsWith(projectSuffix))
        stem.chop(projectSuffix.size());
    else
        stem = file.completeBaseName();
    return file.dir().filePath(stem + QStringLiteral(".prompt.json"));
}

// A long form that scrolls down on a short screen; always as wide as the
// form needs (whatever it shows now, in the current style), so no field is
// cut at the side.
class FormScrollArea : public QScrollArea {
public:
    explicit FormScrollArea(QWidget* form) {
        setWidget(form);
        setWidgetResizable(true);
        setFrameShape(QFrame::NoFrame);
        setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    }
    QSize minimumSizeHint() const override {
        QSize size = QScrollArea::minimumSizeHint();
        size.setWidth(widget()->minimumSizeHint().width() + verticalScrollBar()->sizeHint().width() + 2 * frameWidth());
        return size;
    }
};

QWidget* framed(const QString& title, QWidget* content) {
    auto* box = new QGroupBox(title);
    auto* layout = new QVBoxLayout(box);
    layout->addWidget(content);
    return box;
}

// What decides a run's outputs, as one string: a run shown in the views is
// out of date once the project's differs. Few-shot edits are left out (the
// views show each as it is made), and so is the template's text (the
// preview renders it live; the next run formats with it).
std::string runInputsOf(const Project& project) {
    nlohmann::ordered_json pipeline = to_json(project.pipeline);
    // Paths as the run resolves them (a Save As moves what relative ones
    // name), and only the clustering method in use (as the runner keys it).
    const std::string& embedder = project.pipeline.embedder;
    if (embedder != "hashing")
        pipeline["embedder"] = embedder.rfind("npy:", 0) == 0 ? "npy:" + project.resolve(embedder.substr(4))
                                                               : project.resolve(embedder);
    pipeline["tokenizer"] = project.resolve(project.pipeline.tokenizer);
    if (!project.pipeline.prompt.empty() && !find_prompt_preset(project.pipeline.prompt))
        pipeline["prompt"] = project.resolve(project.pipeline.prompt);
    const bool community = project.pipeline.clustering != "kmeans";
    const std::vector<std::string> unused =
        community ? std::vector<std::string>{"kmeans_k"}
                  : std::vector<std::string>{"threshold", "min_community_size", "approximate"};
    for (const std::string& key : unused) pipeline.erase(key);
    nlohmann::ordered_json inputs{{"domain", project.domain},
                                  {"skip_bad_lines", project.on_bad_line == BadInputPolicy::Skip},
                                  {"pipeline", pipeline},
                                  {"shots", project.fewshot.k},
                                  {"sources", nlohmann::ordered_json::array()}};
    for (const SourceSpec& source : project.resolved_sources())
        inputs["sources"].push_back({source.name, source.path, to_string(source.format), source.columns.question,
                                     source.columns.answer});
    return inputs.dump();
}

}  // namespace

MainWindow::MainWindow(std::unique_ptr<UserPrompts> prompts, QWidget* parent)
    : QMainWindow(parent),
      prompts_(prompts ? std::move(prompts) : std::make_unique<DialogPrompts>(this)),
      loader_(new CorpusLoader(this)),
      runner_(new PipelineRunner(this)) {
    createActions();
    createMenus();
    createToolBar();
    createCentralArea();
    createStatusBar();

    connect(loader_, &CorpusLoader::progress, this, &MainWindow::showProgressBar);
    connect(loader_, &CorpusLoader::loaded, this, &MainWindow::onCorpusLoaded);
    connect(loader_, &CorpusLoader::failed, this, &MainWindow::onCorpusLoadFailed);
    connect(loader_, &CorpusLoader::cancelled, this, &MainWindow::onCorpusLoadCancelled);
    // An opening that a Run is waiting to replace shows nothing more.
    const auto shown = [this] { return !(showingLastRun_ && running_); };
    connect(runner_, &PipelineRunner::stageEvent, this, [this, shown](const StageEvent& event) {
        if (!shown()) return;
        stages_->showStageEvent(event);
        showRunStage(event);
    });
    connect(runner_, &PipelineRunner::progress, this,
            [this, shown](int stageIndex, const QString& activity, quint64 done, quint64 total) {
                if (!shown()) return;
                stages_->showProgress(stageIndex, activity, done, total);
                showRunActivity(stageIndex, activity);
                showProgressBar(done, total);
            });
    connect(runner_, &PipelineRunner::copyingExport, this, [this] {
        if (cancelRunButton_->isEnabled())  // else it says "Cancelling…"
            progressLabel_->setText(tr("Copying the lit-gpt files to %1…").arg(exportDir_));
    });
    connect(runner_, &PipelineRunner::finished, this, &MainWindow::onRunFinished);
    connect(map_, &ClusterMapView::saveImageAsked, this, &MainWindow::saveMapImage);
    connect(map_, &ClusterMapView::sampledQuestionOpened, this, [this](const std::string& question) {
        if (fewShots_->showOriginWithQuestion(question))
            tabs_->setCurrentWidget(fewShots_);
        else
            statusBar()->showMessage(
                tr("That question is no longer a few-shot origin: it was dropped on the Few-Shots tab"), 5000);
    });
    connect(runner_, &PipelineRunner::failed, this, &MainWindow::onRunFailed);
    connect(runner_, &PipelineRunner::cancelled, this, &MainWindow::onRunCancelled);
    connect(runner_, &PipelineRunner::lastRunOutdated, this, &MainWindow::onLastRunOutdated);

    resize(1180, 760);
    showProject(Project{}, {});
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions() {
    newAction_ = new QAction(tr("&New Project"), this);
    newAction_->setShortcut(QKeySequence::New);
    connect(newAction_, &QAction::triggered, this, [this] { newProject(Project{}); });

    openAction_ = new QAction(style()->standardIcon(QStyle::SP_DialogOpenButton), tr("&Open…"), this);
    openAction_->setShortcut(QKeySequence::Open);
    connect(openAction_, &QAction::triggered, this, &MainWindow::openWithChooser);

    saveAction_ = new QAction(style()->standardIcon(QStyle::SP_DialogSaveButton), tr("&Save"), this);
    saveAction_->setShortcut(QKeySequence::Save);
    connect(saveAction_, &QAction::triggered, this, &MainWindow::save);

    saveAsAction_ = new QAction(tr("Save &As…"), this);
    saveAsAction_->setShortcut(QKeySequence::SaveAs);
    connect(saveAsAction_, &QAction::triggered, this, &MainWindow::saveWithChooser);

    quitAction_ = new QAction(tr("&Quit"), this);
    quitAction_->setShortcut(QKeySequence::Quit);
    quitAction_->setMenuRole(QAction::QuitRole);
    connect(quitAction_, &QAction::triggered, this, &QWidget::close);

    loadCorpusAction_ = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Load Corpus"), this);
    loadCorpusAction_->setObjectName("loadCorpus");
    loadCorpusAction_->setShortcut(tr("Ctrl+L"));
    loadCorpusAction_->setToolTip(tr("Read every source, map its columns and pool them (Ctrl+L)"));
    connect(loadCorpusAction_, &QAction::triggered, this, &MainWindow::loadCorpus);

    runAction_ = new QAction(style()->standardIcon(QStyle::SP_MediaSeekForward), tr("&Run"), this);
    runAction_->setObjectName("runPipeline");
    runAction_->setShortcut(tr("Ctrl+R"));
    runAction_->setToolTip(tr("Run every stage of the project into its output folder (Ctrl+R)"));
    connect(runAction_, &QAction::triggered, this, &MainWindow::runPipeline);

    findAction_ = new QAction(tr("&Find…"), this);
    findAction_->setObjectName("find");
    findAction_->setShortcut(QKeySequence::Find);
    findAction_->setToolTip(tr("Filter the sampled questions on the Few-Shots tab; elsewhere, find questions "
                               "on the cluster map (Ctrl+F)"));
    connect(findAction_, &QAction::triggered, this, [this] {
        if (tabs_->currentWidget() == fewShots_) {
            fewShots_->focusFilter();
            return;
        }
        showClusterMap();
        map_->focusFind();
    });

    exportAction_ = new QAction(QIcon::fromTheme(QStringLiteral("document-export"),
                                                 style()->standardIcon(QStyle::SP_DialogApplyButton)),
                                tr("&Export…"), this);
    exportAction_->setObjectName("exportProject");
    exportAction_->setShortcut(tr("Ctrl+E"));
    exportAction_->setToolTip(tr("Run what changed, then copy train.pt, valid.pt and the manifest into a folder "
                                 "of your choice (Ctrl+E)"));
    connect(exportAction_, &QAction::triggered, this, &MainWindow::exportProject);

    aboutAction_ = new QAction(tr("&About Distill Studio"), this);
    aboutAction_->setMenuRole(QAction::AboutRole);
    connect(aboutAction_, &QAction::triggered, this, &MainWindow::showAbout);
}

void MainWindow::createMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(newAction_);
    newFromPresetMenu_ = file->addMenu(tr("New from &Preset"));
    for (const DomainPreset& preset : domain_presets()) {
        QAction* action = newFromPresetMenu_->addAction(qs(preset.name));
        action->setStatusTip(qs(preset.description));
        connect(action, &QAction::triggered, this, [this, &preset] { newProject(project_from_preset(preset)); });
    }
    file->addAction(openAction_);
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    recentMenu_->setObjectName("recentProjects");
    // Filled when shown: another window may have opened a project since.
    connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
    file->addSeparator();
    file->addAction(saveAction_);
    file->addAction(saveAsAction_);
    file->addSeparator();
    file->addAction(quitAction_);

    QMenu* corpus = menuBar()->addMenu(tr("&Corpus"));
    corpus->addAction(loadCorpusAction_);
    corpus->addAction(runAction_);
    corpus->addAction(exportAction_);
    corpus->addSeparator();
    corpus->addAction(findAction_);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(aboutAction_);
}

void MainWindow::createToolBar() {
    QToolBar* toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName("mainToolBar");
    toolBar->setMovable(false);
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addAction(openAction_);
    toolBar->addAction(saveAction_);
    toolBar->addSeparator();
    toolBar->addAction(loadCorpusAction_);
    toolBar->addAction(runAction_);
    toolBar->addAction(exportAction_);
}

void MainWindow::createCentralArea() {
    presets_ = new DomainPresetList;
    projectView_ = new ProjectView;
    summary_ = new CorpusSummaryView;

    auto* right = new QSplitter(Qt::Vertical);
    right->addWidget(framed(tr("Project"), projectView_));
    right->addWidget(framed(tr("Corpus"), summary_));
    right->setSizes({360, 300});
    right->setChildrenCollapsible(false);

    settingsView_ = new PipelineSettingsView;
    stages_ = new StageListView;
    sweep_ = new ThresholdSweepView;
    map_ = new ClusterMapView;
    fewShots_ = new FewShotView;
    tabs_ = new QTabWidget;
    tabs_->setObjectName("tabs");
    // Ctrl+1…4, not Alt+letter: tab mnemonics would take the letters the
    // menus and each tab's own fields need.
    tabs_->addTab(right, tr("Project"));
    tabs_->addTab(createRunTab(), tr("Run"));
    tabs_->addTab(map_, tr("Cluster Map"));
    tabs_->addTab(fewShots_, tr("Few-Shots && Prompt"));
    for (int tab = 0; tab < tabs_->count(); ++tab) {
        const QKeySequence keys(Qt::CTRL | Qt::Key(Qt::Key_1 + tab));
        tabs_->setTabToolTip(tab, keys.toString(QKeySequence::NativeText));
        connect(new QShortcut(keys, this), &QShortcut::activated, this, [this, tab] { tabs_->setCurrentIndex(tab); });
    }

    auto* main = new QSplitter(Qt::Horizontal);
    main->addWidget(presets_);
    main->addWidget(tabs_);
    main->setStretchFactor(1, 1);
    main->setSizes({220, 960});
    main->setChildrenCollapsible(false);

    staleRunBanner_ = new QLabel(tr("The stages, the map and the few-shots show the last run; the settings or "
                                    "sources have changed since. Press Run (Ctrl+R) to update them."));
    staleRunBanner_->setObjectName("staleRunBanner");
    staleRunBanner_->setWordWrap(true);
    staleRunBanner_->setStyleSheet(
        QStringLiteral("background: #fff3cd; color: #664d03; border: 1px solid #e0c36c; padding: 4px;"));
    staleRunBanner_->hide();

    auto* central = new QWidget;
    auto* layout = new QVBoxLayout(central);
    layout->addWidget(staleRunBanner_);
    layout->addWidget(main);
    setCentralWidget(central);

    connect(projectView_, &ProjectView::edited, this, [this] {
        setWindowModified(true);
        updateTitle();  // an unsaved project is titled by its name
    });
    connect(fewShots_, &FewShotView::edited, projectView_, &ProjectView::appendFewShotEdit);
    connect(fewShots_, &FewShotView::editUndone, projectView_, &ProjectView::removeLastFewShotEdit);
    template_ = fewShots_->templateEditor();
    connect(template_, &PromptTemplateEditor::modifiedChanged, this, [this](bool modified) {
        if (modified) setWindowModified(true);
        tabs_->setTabText(tabs_->indexOf(fewShots_),
                          modified ? tr("Few-Shots && Prompt*") : tr("Few-Shots && Prompt"));
    });
    connect(template_, &PromptTemplateEditor::saveRequested, this, &MainWindow::save);
    connect(template_, &PromptTemplateEditor::saveAsRequested, this, &MainWindow::saveTemplateAs);
    // pipeline.prompt, or the domain when it is empty, names the template.
    connect(settingsView_, &PipelineSettingsView::edited, this, [this] { showSavedTemplate(false); });
    connect(settingsView_, &PipelineSettingsView::edited, this, &MainWindow::updateStaleRunBanner);
    connect(projectView_, &ProjectView::edited, this, &MainWindow::updateStaleRunBanner);
    connect(projectView_, &ProjectView::edited, this, [this] { showSavedTemplate(false); });
    connect(settingsView_, &PipelineSettingsView::edited, this, [this] {
        setWindowModified(true);
        sweep_->showProjectSettings(project().pipeline);
    });
    connect(sweep_, &ThresholdSweepView::thresholdChosen, this, &MainWindow::useSweptThreshold);
    connect(sweep_, &ThresholdSweepView::sweepFailed, this,
            [this](const QString& message) { prompts_->showError(tr("Cannot sweep the thresholds"), message); });
    // The default output folder is named after the project.
    connect(projectView_, &ProjectView::edited, this, &MainWindow::showDefaultOutputDir);
    connect(projectView_, &ProjectView::sourcesEdited, summary_, &CorpusSummaryView::markOutOfDate);
    connect(presets_, &DomainPresetList::presetSelected, this, &MainWindow::offerToStartFrom);
}

QWidget* MainWindow::createRunTab() {
    outputDir_ = new QLineEdit;
    outputDir_->setObjectName("outputDir");
    outputDir_->setPlaceholderText(tr("Save the project or choose a folder"));
    connect(outputDir_, &QLineEdit::textEdited, this, [this] { outputDirChosen_ = true; });
    browseOutputDir_ = new QToolButton;
    browseOutputDir_->setText(QStringLiteral("…"));
    browseOutputDir_->setToolTip(tr("Choose the output folder"));
    connect(browseOutputDir_, &QToolButton::clicked, this, &MainWindow::chooseOutputDir);

    runButton_ = new QPushButton(runAction_->icon(), tr("Run"));
    runButton_->setObjectName("runButton");
    connect(runButton_, &QPushButton::clicked, runAction_, &QAction::trigger);
    cancelRunButton_ = new QPushButton(tr("Cancel"));
    cancelRunButton_->setObjectName("cancelRun");
    connect(cancelRunButton_, &QPushButton::clicked, this, &MainWindow::cancelRun);

    auto* outputLabel = new QLabel(tr("O&utput folder:"));
    outputLabel->setBuddy(outputDir_);
    auto* output = new QHBoxLayout;
    output->addWidget(outputLabel);
    output->addWidget(outputDir_, 1);
    output->addWidget(browseOutputDir_);
    output->addWidget(runButton_);
    output->addWidget(cancelRunButton_);

    // The sweep beside the settings it changes.
    auto* knobs = new QSplitter(Qt::Horizontal);
    knobs->addWidget(framed(tr("Settings"), new FormScrollArea(settingsView_)));
    knobs->addWidget(framed(tr("Threshold sweep"), sweep_));
    knobs->setStretchFactor(1, 1);
    knobs->setChildrenCollapsible(false);

    auto* settings = new QSplitter(Qt::Vertical);
    settings->addWidget(knobs);
    settings->addWidget(framed(tr("Stages"), stages_));
    settings->setChildrenCollapsible(false);
    // The stages keep every row in view at the default size; a taller
    // window gives the settings and the sweep the room.
    settings->setStretchFactor(0, 1);
    settings->setStretchFactor(1, 0);
    settings->setSizes({360, 320});

    auto* tab = new QWidget;
    auto* layout = new QVBoxLayout(tab);
    layout->addWidget(settings, 1);
    layout->addLayout(output);
    return tab;
}

void MainWindow::createStatusBar() {
    progressLabel_ = new QLabel;
    progressLabel_->setObjectName("progressLabel");
    progressBar_ = new QProgressBar;
    progressBar_->setObjectName("loadProgress");
    progressBar_->setMaximumWidth(240);
    progressBar_->setFormat(QStringLiteral("%p%"));
    // Cancels whichever background job is going, a load or a run, from any tab.
    cancelButton_ = new QPushButton(tr("Cancel"));
    cancelButton_->setObjectName("cancelLoad");
    connect(cancelButton_, &QPushButton::clicked, this, [this] { loading_ ? cancelCorpusLoad() : cancelRun(); });

    // After an Export, until the next run: where the files went, one click away.
    openExportFolderButton_ = new QPushButton(tr("Open Export Folder"));
    openExportFolderButton_->setObjectName("openExportFolder");
    openExportFolderButton_->setVisible(false);
    connect(openExportFolderButton_, &QPushButton::clicked, this,
            [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(exportDir_)); });

    // Permanent widgets stay put while temporary messages come and go.
    statusBar()->addPermanentWidget(openExportFolderButton_);
    statusBar()->addPermanentWidget(progressLabel_);
    statusBar()->addPermanentWidget(progressBar_);
    statusBar()->addPermanentWidget(cancelButton_);
    setLoading(false);
}

Project MainWindow::project() const {
    Project project = projectView_->project();
    settingsView_->applyTo(project);
    return project;
}

bool MainWindow::isCorpusLoading() const { return loader_->isRunning(); }

void MainWindow::newProject(const Project& project) {
    if (mayReplaceProject()) showProject(project, {});
}

void MainWindow::openWithChooser() {
    if (!mayReplaceProject()) return;
    const QString startDir = projectPath_.isEmpty() ? QDir::homePath() : QFileInfo(projectPath_).absolutePath();
    const QString path = prompts_->chooseProjectToOpen(startDir);
    if (!path.isEmpty()) openProject(path);
}

bool MainWindow::openProject(const QString& path) {
    try {
        showProject(load_project(path.toStdString()), QFileInfo(path).absoluteFilePath());
        rememberRecent(projectPath_);
        return true;
    } catch (const std::exception& e) {
        prompts_->showError(tr("Cannot open the project"), qs(e.what()));
        return false;
    }
}

bool MainWindow::save() { return projectPath_.isEmpty() ? saveWithChooser() : saveProjectAs(projectPath_); }

bool MainWindow::saveWithChooser() {
    QString suggested = projectPath_;
    if (suggested.isEmpty()) {
        const Project current = project();
        const std::string stem = !current.name.empty()     ? current.name
                                 : !current.domain.empty() ? current.domain
                                                           : "untitled";
        suggested = QDir::home().filePath(qs(stem) + QStringLiteral(".distill.json"));
    }
    const QString path = prompts_->chooseProjectSavePath(suggested);
    return !path.isEmpty() && saveProjectAs(path);
}

bool MainWindow::saveProjectAs(const QString& path) {
    Project saved = project();
    // The template first: the project saved must name a file that exists.
    if (!saveTemplate(saved, QFileInfo(path).absoluteFilePath())) return false;
    try {
        save_project(saved, path.toStdString());
    } catch (const std::exception& e) {
        prompts_->showError(tr("Cannot save the project"), qs(e.what()));
        return false;
    }
    // Saving sets the project's folder, against which relative paths resolve.
    projectView_->setProject(saved);
    settingsView_->setProject(saved);
    projectPath_ = QFileInfo(path).absoluteFilePath();
    showSavedTemplate(true);  // read back from the file just written
    showDefaultOutputDir();
    setWindowModified(false);
    updateTitle();
    statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(projectPath_)), 4000);
    rememberRecent(projectPath_);
    updateStaleRunBanner();  // saving may have named a template file
    return true;
}

void MainWindow::rememberRecent(const QString& path) {
    QStringList recent = QSettings().value(kRecentProjectsKey).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    QSettings().setValue(kRecentProjectsKey, recent.mid(0, kRecentProjects));
}

void MainWindow::fillRecentMenu() {
    recentMenu_->clear();
    const QStringList recent = QSettings().value(kRecentProjectsKey).toStringList();
    for (qsizetype i = 0; i < recent.size(); ++i) {
        const QString& path = recent[i];
        // A '&' in a name is doubled, or it would be read as a mnemonic.
        const QString shown = QFileInfo(path).fileName() + QStringLiteral("  —  ") +
                              QDir::toNativeSeparators(QFileInfo(path).absolutePath());
        QAction* action = recentMenu_->addAction(
            tr("&%1 %2").arg(i + 1).arg(QString(shown).replace('&', QStringLiteral("&&"))));
        action->setData(path);
        // A file moved or deleted since: listed, so the list does not seem to forget, but not offered.
        action->setEnabled(QFileInfo(path).isFile());
        connect(action, &QAction::triggered, this, [this, path] {
            if (mayReplaceProject()) openProject(path);
        });
    }
    if (recent.isEmpty()) recentMenu_->addAction(tr("No recent projects"))->setEnabled(false);
    recentMenu_->addSeparator();
    QAction* clear = recentMenu_->addAction(tr("&Clear Menu"));
    clear->setEnabled(!recent.isEmpty());
    connect(clear, &QAction::triggered, this, [] { QSettings().remove(kRecentProjectsKey); });
}

bool MainWindow::saveTemplate(Project& project, const QString& projectFile) {
    const QString projectDir = QFileInfo(projectFile).absolutePath();
    const std::string& setting = project.pipeline.prompt;
    const bool namesFile = !setting.empty() && !find_prompt_preset(setting);
    if (!template_->isModified()) {
        // Saved elsewhere (Save As), the project still names the same file.
        if (namesFile) project.pipeline.prompt = storedPath(qs(project.resolve(setting)), projectDir).toStdString();
        return true;
    }
    // The file the project names is saved in place; an edited built-in
    // preset becomes a file beside the project.
    const QString path = namesFile ? qs(project.resolve(setting)) : templateFileBeside(projectFile);
    if (!writeTemplate(path, false)) return false;
    project.pipeline.prompt = storedPath(path, projectDir).toStdString();
    return true;
}

bool MainWindow::writeTemplate(const QString& path, bool nameAfterFile) {
    // An edited built-in preset is named after its file too, so a run's
    // summary does not call the edit by the built-in's name.
    PromptPreset preset = template_->preset();
    if (find_prompt_preset(preset.name)) {
        preset.description = "the built-in " + preset.name + " preset, edited";
        nameAfterFile = true;
    }
    if (nameAfterFile) preset.name = QFileInfo(path).fileName().section('.', 0, 0).toStdString();
    try {
        const std::string json = to_json(preset).dump(2);
        write_file_atomically(path.toStdString(), [&](std::ostream& out) { out << json << '\n'; });
    } catch (const std::exception& e) {
        prompts_->showError(tr("Cannot save the prompt template"), qs(e.what()));
        return false;
    }
    return true;
}

void MainWindow::saveTemplateAs() {
    if (!template_->hasTemplate()) return;
    const Project current = project();
    const std::string& setting = current.pipeline.prompt;
    // Offered: the file the project names, else the one Save writes beside the project.
    QString suggested;
    if (!setting.empty() && !find_prompt_preset(setting))
        suggested = qs(current.resolve(setting));
    else if (!projectPath_.isEmpty())
        suggested = templateFileBeside(projectPath_);
    else
        suggested = QDir::home().filePath(qs(current.domain.empty() ? "untitled" : current.domain) + ".prompt.json");
    const QString chosen = prompts_->chooseTemplateSavePath(suggested);
    if (chosen.isEmpty() || !writeTemplate(chosen, true)) return;
    // A project never saved has no folder to be relative to yet; saving it
    // makes the path relative (saveTemplate).
    const QString file = QFileInfo(chosen).absoluteFilePath();
    settingsView_->usePrompt(projectPath_.isEmpty() ? file : storedPath(file, QFileInfo(projectPath_).absolutePath()));
    showSavedTemplate(true);  // the edits are in the file now
    save();
}

void MainWindow::saveMapImage() {
    // Offered beside the project, named after it.
    const QString stem = projectPath_.isEmpty() ? qs(project().domain.empty() ? "untitled" : project().domain)
                                                : QFileInfo(projectPath_).completeBaseName().section('.', 0, 0);
    const QString folder = projectPath_.isEmpty() ? QDir::homePath() : QFileInfo(projectPath_).absolutePath();
    const QString chosen = prompts_->chooseImageSavePath(QDir(folder).filePath(stem + "-map.png"));
    if (chosen.isEmpty()) return;
    try {
        map_->saveImage(chosen);
        statusBar()->showMessage(tr("Saved the map to %1").arg(QDir::toNativeSeparators(chosen)), 5000);
    } catch (const Error& e) {
        prompts_->showError(tr("Save Map Image"), qs(e.what()));
    }
}

void MainWindow::useSweptThreshold(double threshold, std::size_t minSize) {
    // k-means has no threshold: taking a sweep's row changes how the project
    // clusters, which the curator must agree to rather than read afterwards.
    if (project().pipeline.clustering == "kmeans" && !prompts_->confirmSwitchToCommunities(threshold, minSize))
        return;
    settingsView_->useCommunities(threshold, minSize);
    statusBar()->showMessage(tr("Threshold %1 at min size %2: the next run uses it")
                                 .arg(QLocale().toString(threshold, 'f', 3))
                                 .arg(minSize),
                             5000);
}

void MainWindow::showSavedTemplate(bool discardEdits) {
    const Project current = project();
    const std::string& setting = current.pipeline.prompt;
    const bool builtIn = setting.empty() || find_prompt_preset(setting);
    const std::string name = setting.empty() ? current.domain : setting;
    const std::string shown = builtIn ? "preset:" + name : "file:" + current.resolve(setting);
    // Typing in the Run tab's settings must not reload (and re-render) the
    // template on every key; only a change of which template counts.
    if (!discardEdits && shown == templateShown_) return;
    templateShown_ = shown;
    if (name.empty()) {
        template_->setSaved(std::nullopt,
                            tr("The project has no domain yet: start from a domain preset, or name a prompt "
                               "preset in the Run tab."),
                            discardEdits);
        return;
    }
    try {
        const QString where = builtIn ? tr("The built-in %1 preset").arg(qs(name))
                                      : QDir::toNativeSeparators(qs(current.resolve(setting)));
        template_->setSaved(prompt_preset_of(current), where, discardEdits);
    } catch (const std::exception& e) {
        template_->setSaved(std::nullopt, qs(e.what()), discardEdits);
    }
}

bool MainWindow::mayReplaceProject() {
    if (!isWindowModified()) return true;
    switch (prompts_->askUnsavedChanges(displayName())) {
        case UnsavedChangesChoice::Save: return save();
        case UnsavedChangesChoice::Discard: return true;
        case UnsavedChangesChoice::Cancel: return false;
    }
    return false;
}

void MainWindow::showProject(const Project& project, const QString& path) {
    projectView_->setProject(project);
    settingsView_->setProject(project);
    stages_->reset();
    showSavedTemplate(true);
    map_->setOutcome(nullptr);
    fewShots_->setOutcome(nullptr);
    sweep_->setOutcome(nullptr);
    sweep_->showProjectSettings(project.pipeline);
    shownRunInputs_.clear();
    updateStaleRunBanner();
    outputDirChosen_ = false;
    presets_->showDomain(project.domain);
    // Where a curator starts: choosing a preset, or working on the sources.
    if (project.sources.empty())
        presets_->setFocus();
    else
        projectView_->setFocus();
    corpus_.reset();
    summary_->clear();
    projectPath_ = path;
    showDefaultOutputDir();
    setWindowModified(false);
    updateTitle();
    showLastRun();
}

void MainWindow::offerToStartFrom(const DomainPreset& preset) {
    // With sources in place the list only describes presets: replacing a
    // curator's sources is File → New from Preset's job, which asks to save.
    const Project current = project();
    if (!current.sources.empty()) return;
    if (!prompts_->confirmStartFromPreset(qs(preset.name), qs(preset.description), int(preset.sources.size()))) {
        presets_->showDomain(current.domain);
        return;
    }
    Project started = project_from_preset(preset);
    if (!current.name.empty()) started.name = current.name;
    started.base_dir = current.base_dir;
    started.on_bad_line = current.on_bad_line;
    started.pipeline = current.pipeline;
    started.fewshot = current.fewshot;
    projectView_->setProject(started);
    showSavedTemplate(false);  // the domain names the template
    setWindowModified(true);
    updateTitle();
}

QString MainWindow::displayName() const {
    if (!projectPath_.isEmpty()) return QFileInfo(projectPath_).fileName();
    const std::string name = project().name;
    return name.empty() ? tr("Untitled") : qs(name);
}

void MainWindow::updateTitle() { setWindowTitle(tr("%1[*] — Distill Studio").arg(displayName())); }

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!mayReplaceProject()) {
        event->ignore();
        return;
    }
    // The loader waits for its thread when destroyed; asking now lets the
    // load wind down while the window closes.
    loader_->cancel();
    runner_->cancel();
    event->accept();
}

void MainWindow::showAbout() {
    QString compute = qs(compute_info().summary()).toHtmlEscaped();
    compute.replace('\n', QStringLiteral("<br>"));
    QMessageBox::about(this, tr("About Distill Studio"),
                       tr("<h3>Distill Studio %1</h3>"
                          "<p>Curate instruction-tuning datasets by distillation: pool a domain's sources, "
                          "keep a diverse sample, give each question its nearest neighbours as few-shot "
                          "examples and export training files.</p><p>%2</p>")
                           .arg(QString::fromLatin1(version()), compute));
}

void MainWindow::loadCorpus() {
    if (loader_->isRunning()) return;
    const Project current = project();
    if (const QStringList problems = problemsBeforeLoad(current); !problems.isEmpty()) {
        prompts_->showError(tr("Cannot load the corpus"), problems.join('\n'));
        emit corpusLoadFinished(false);
        return;
    }
    corpus_.reset();
    summary_->showLoading();
    runningPolicy_ = current.on_bad_line;
    setLoading(true);
    loader_->start(current.resolved_sources(), current.on_bad_line);
}

void MainWindow::cancelCorpusLoad() {
    if (!loader_->isRunning()) return;
    loader_->cancel();
    cancelButton_->setEnabled(false);
    progressLabel_->setText(tr("Cancelling…"));
}

void MainWindow::setLoading(bool loading) {
    // Disabling a widget moves focus away from it; give it back afterwards
    // so a keyboard user keeps their place.
    if (loading) focusBeforeLoad_ = focusWidget();
    loading_ = loading;
    updateEnabled();

    showJobInStatusBar(loading, tr("Loading corpus…"));
    if (!loading && focusBeforeLoad_) focusBeforeLoad_->setFocus();
}

void MainWindow::showJobInStatusBar(bool active, const QString& label) {
    progressLabel_->setText(label);
    progressBar_->setRange(0, 0);
    cancelButton_->setEnabled(active);
    for (QWidget* widget : std::initializer_list<QWidget*>{progressLabel_, progressBar_, cancelButton_})
        widget->setVisible(active);
}

void MainWindow::updateEnabled() {
    // Nothing that changes the project may happen under a load or a run
    // reading it, and one background job at a time. Opening the last run
    // holds back only what would change which run it is (the project, the
    // folder): settings may be edited meanwhile, and Run replaces it.
    const bool busy = loading_ || running_;
    const bool folderBusy = busy || showingLastRun_;
    for (QAction* action : {newAction_, openAction_, loadCorpusAction_}) action->setEnabled(!folderBusy);
    for (QAction* action : {runAction_, exportAction_}) action->setEnabled(!busy);
    newFromPresetMenu_->setEnabled(!folderBusy);
    recentMenu_->setEnabled(!folderBusy);
    presets_->setEnabled(!folderBusy);
    outputDir_->setEnabled(!folderBusy);
    browseOutputDir_->setEnabled(!folderBusy);
    projectView_->setEnabled(!busy);
    settingsView_->setEnabled(!busy);
    fewShots_->setEnabled(!busy);
    sweep_->setEnabled(!busy);
    runButton_->setEnabled(!busy);
    cancelRunButton_->setEnabled(running_ || showingLastRun_);
}

void MainWindow::showRunStage(const StageEvent& event) {
    if (event.kind != StageEvent::Started) return;
    showRunActivity(int(event.index), qs(event.stage));
    progressBar_->setRange(0, 0);
}

void MainWindow::showRunActivity(int stageIndex, const QString& activity) {
    if (activity.isEmpty() || !cancelRunButton_->isEnabled()) return;  // "Cancelling…" stays
    // "[3/8] communities: approximate neighbours…", as the CLI says it;
    // before the first stage (waiting for the folder) the activity alone.
    const QString text =
        stageIndex < 0 ? activity.left(1).toUpper() + activity.mid(1) + tr("…")
                       : tr("[%1/%2] %3…").arg(stageIndex + 1).arg(pipeline_stages().size()).arg(activity);
    progressLabel_->setText(showingLastRun_ ? tr("Opening the last run: %1").arg(text) : text);
}

void MainWindow::showProgressBar(quint64 done, quint64 total) {
    if (total == 0) {
        progressBar_->setRange(0, 0);  // unknown total: a busy bar
    } else {
        progressBar_->setRange(0, 1000);
        progressBar_->setValue(int(qMin<quint64>(done, total) * 1000 / total));
    }
}

void MainWindow::onCorpusLoaded(std::shared_ptr<const Corpus> corpus) {
    setLoading(false);
    corpus_ = std::move(corpus);
    summary_->showCorpus(corpus_->report, corpus_->records.size());
    statusBar()->showMessage(tr("Loaded %1 records").arg(QLocale().toString(qulonglong(corpus_->records.size()))),
                             5000);
    emit corpusLoadFinished(true);
}

void MainWindow::onCorpusLoadFailed(const QString& message) {
    setLoading(false);
    summary_->clear();
    if (runningPolicy_ == BadInputPolicy::Abort) {
        if (prompts_->askBadLine(message) == BadLineChoice::SkipBadLines) {
            // The choice becomes the project's on_bad_line, so it is saved
            // with the project and a headless `distill run` does the same.
            projectView_->setBadLinePolicy(BadInputPolicy::Skip);
            loadCorpus();
            return;
        }
        statusBar()->showMessage(tr("Corpus load aborted"), 5000);
    } else {
        prompts_->showError(tr("Cannot load the corpus"), message);
        statusBar()->showMessage(tr("Corpus load failed"), 5000);
    }
    emit corpusLoadFinished(false);
}

void MainWindow::onCorpusLoadCancelled() {
    setLoading(false);
    summary_->clear();
    statusBar()->showMessage(tr("Corpus load cancelled"), 5000);
    emit corpusLoadFinished(false);
}

void MainWindow::runPipeline() {
    if (!canStartRun(tr("Cannot run"))) return;
    startRun({});
}

void MainWindow::exportProject() {
    if (!canStartRun(tr("Cannot export"))) return;
    // Where this project last exported to (curators export to the same
    // training folder again and again), else its folder.
    QString start = projectPath_.isEmpty() ? exportDir_ : rememberedExportFolders().value(exportFolderKey(projectPath_)).toString();
    if (start.isEmpty()) start = !project().base_dir.empty() ? qs(project().base_dir) : QDir::homePath();
    const QString dir = prompts_->chooseExportFolder(start);
    if (dir.isEmpty()) {
        emit runFinished(false);
        return;
    }
    exportDir_ = QDir::toNativeSeparators(dir);
    startRun(exportDir_);
}

bool MainWindow::canStartRun(const QString& errorTitle) {
    if (loading_ || running_) {
        emit runFinished(false);
        return false;
    }
    QStringList problems = problemsBeforeLoad(project());
    if (outputDir().isEmpty()) problems << tr("No output folder: save the project or choose a folder.");
    // A run formats with the saved template: offer to save the edits (a
    // save that fails or is cancelled says why itself and starts nothing).
    if (problems.isEmpty() && template_->isModified() && !(prompts_->confirmSaveTemplateAndRun() && save())) {
        emit runFinished(false);
        return false;
    }
    if (problems.isEmpty()) return true;
    prompts_->showError(errorTitle, problems.join('\n'));
    emit runFinished(false);
    return false;
}

void MainWindow::startRun(const QString& exportDir) {
    openExportFolderButton_->setVisible(false);
    stages_->reset();
    sweep_->cancelSweep();  // one background job at a time; its rows are about to be out of date
    setRunning(true);
    jobInputs_ = runInputsOf(project());
    if (showingLastRun_) {
        // The run starts once the opening has stopped (endLastRunOpening).
        pendingRun_ = exportDir;
        runner_->cancel();
        return;
    }
    runner_->start(project(), outputDir(), exportDir);
}

bool MainWindow::endLastRunOpening() {
    showingLastRun_ = false;
    if (!running_) {
        showJobInStatusBar(false, {});
        updateEnabled();
        return false;
    }
    if (!pendingRun_) {  // the Run was cancelled before it could start
        setRunning(false);
        stages_->reset();
        statusBar()->showMessage(tr("Run cancelled"), 5000);
        emit runFinished(false);
        return true;
    }
    stages_->reset();
    updateEnabled();
    runner_->start(project(), outputDir(), *std::exchange(pendingRun_, std::nullopt));
    return true;
}

void MainWindow::cancelRun() {
    if (!runner_->isRunning()) return;
    runner_->cancel();
    pendingRun_.reset();
    cancelRunButton_->setEnabled(false);
    cancelButton_->setEnabled(false);
    progressLabel_->setText(tr("Cancelling…"));
}

bool MainWindow::isRunning() const { return runner_->isRunning(); }

QString MainWindow::outputDir() const { return outputDir_->text().trimmed(); }

void MainWindow::setOutputDir(const QString& dir) {
    outputDir_->setText(dir);
    outputDirChosen_ = true;
}

void MainWindow::showClusterMap() { tabs_->setCurrentWidget(map_); }

void MainWindow::chooseOutputDir() {
    const QString start = outputDir().isEmpty() ? QDir::homePath() : outputDir();
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Output Folder"), start);
    if (dir.isEmpty()) return;
    setOutputDir(QDir::toNativeSeparators(dir));
    showLastRun();
}

void MainWindow::showDefaultOutputDir() {
    if (outputDirChosen_) return;
    const Project current = projectView_->project();
    if (current.base_dir.empty()) {
        outputDir_->clear();
        return;
    }
    const QString name = current.name.empty() ? (current.domain.empty() ? tr("untitled") : qs(current.domain))
                                              : qs(current.name);
    outputDir_->setText(QDir::toNativeSeparators(QDir(qs(current.base_dir)).filePath(QStringLiteral("out/") + name)));
}

void MainWindow::setRunning(bool running) {
    if (running) focusBeforeLoad_ = focusWidget();
    running_ = running;
    updateEnabled();
    // The Run tab's stage list shows every stage; the status bar shows the
    // one at hand and Cancel wherever the curator is.
    showJobInStatusBar(running, tr("Running…"));
    if (!running && focusBeforeLoad_) focusBeforeLoad_->setFocus();
}

void MainWindow::showLastRun() {
    const QString dir = outputDir();
    // A folder no run has written to has no run to show.
    if (dir.isEmpty() || !QFileInfo(QDir(dir).filePath(QStringLiteral(".distill-cache"))).isDir() ||
        !problemsBeforeLoad(project()).isEmpty() || loading_ || running_ || showingLastRun_)
        return;
    // From now on the views show this folder's run or none, not another's.
    map_->setOutcome(nullptr);
    fewShots_->setOutcome(nullptr);
    sweep_->setOutcome(nullptr);
    shownRunInputs_.clear();
    updateStaleRunBanner();
    stages_->reset();
    showingLastRun_ = true;
    lastRunDir_ = dir;
    jobInputs_ = runInputsOf(project());
    updateEnabled();
    showJobInStatusBar(true, tr("Opening the last run in %1…").arg(dir));
    runner_->showLastRun(project(), dir);
}

void MainWindow::updateStaleRunBanner() {
    staleRunBanner_->setVisible(!shownRunInputs_.empty() && runInputsOf(project()) != shownRunInputs_);
}

void MainWindow::onLastRunOutdated(const QString& stage) {
    if (endLastRunOpening()) return;
    stages_->interrupt(tr("out of date"));
    statusBar()->showMessage(tr("The last run in %1 is out of date from its %2 stage on: press Run to update it")
                                 .arg(lastRunDir_, stage));
    emit lastRunShown(false);
}

void MainWindow::onRunFinished(std::shared_ptr<const PipelineOutcome> outcome) {
    const bool opened = showingLastRun_;
    if (opened && endLastRunOpening()) return;  // a Run replaces it
    if (!opened) setRunning(false);
    summary_->showCorpus(outcome->corpusReport, outcome->records.size());  // the run pooled them
    map_->setOutcome(outcome);
    fewShots_->setOutcome(outcome);
    sweep_->setOutcome(outcome);
    shownRunInputs_ = jobInputs_;
    updateStaleRunBanner();
    const PipelineResult& result = outcome->result;
    if (opened) {
        statusBar()->showMessage(tr("Showing the last run in %1: %2 records, %3 communities, %4 sampled, "
                                    "%5 rows exported")
                                     .arg(lastRunDir_)
                                     .arg(result.corpus_records)
                                     .arg(result.communities)
                                     .arg(result.sampled)
                                     .arg(result.exported));
        emit lastRunShown(true);
        return;
    }
    if (outcome->exportCancelled) {
        statusBar()->showMessage(tr("Export cancelled: the run finished, %1 is unchanged").arg(qs(outcome->exportDir)),
                                 8000);
    } else if (!outcome->exportError.empty()) {
        prompts_->showError(tr("Export failed"),
                            tr("The run finished, but its files could not be copied to %1:\n%2")
                                .arg(qs(outcome->exportDir), qs(outcome->exportError)));
        statusBar()->showMessage(tr("Export failed"), 8000);
    } else if (!outcome->exportDir.empty()) {
        if (!projectPath_.isEmpty()) {
            QVariantMap folders = rememberedExportFolders();
            folders.insert(exportFolderKey(projectPath_), qs(outcome->exportDir));
            QSettings().setValue(kExportFoldersKey, folders);
        }
        // Until the next message: the curator looks for where the files went.
        openExportFolderButton_->setVisible(true);
        statusBar()->showMessage(tr("Exported %1 rows to %2 (%3)")
                                     .arg(result.exported)
                                     .arg(qs(outcome->exportDir))
                                     .arg(fileNames(outcome->exportedFiles)));
    } else {
        statusBar()->showMessage(tr("Run finished: %1 records, %2 communities, %3 sampled, %4 rows exported")
                                     .arg(result.corpus_records)
                                     .arg(result.communities)
                                     .arg(result.sampled)
                                     .arg(result.exported),
                                 8000);
    }
    emit runFinished(true);
}

void MainWindow::onRunFailed(const QString& message) {
    if (showingLastRun_) {
        if (endLastRunOpening()) return;
        // Nobody asked for this opening: no dialog, a Run will say it again.
        stages_->interrupt(tr("failed"));
        statusBar()->showMessage(tr("The last run is not shown: %1").arg(message));
        emit lastRunShown(false);
        return;
    }
    setRunning(false);
    stages_->interrupt(tr("failed"));
    prompts_->showError(tr("The run failed"), message);
    statusBar()->showMessage(tr("Run failed"), 5000);
    emit runFinished(false);
}

void MainWindow::onRunCancelled() {
    if (showingLastRun_) {
        if (endLastRunOpening()) return;
        stages_->interrupt(tr("cancelled"));
        statusBar()->showMessage(tr("The last run is not shown: cancelled"), 5000);
        emit lastRunShown(false);
        return;
    }
    setRunning(false);
    stages_->interrupt(tr("cancelled"));
    statusBar()->showMessage(tr("Run cancelled"), 5000);
    emit runFinished(false);
}

}  // namespace distill::ui
