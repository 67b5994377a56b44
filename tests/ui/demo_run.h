#pragma once
// What the UI suites that run the pipeline share: the demo project copied
// into a test's folder, pressing Run and waiting for its end, and each
// stage's state as the Run tab shows it.
#include <QFileInfo>
#include <QSignalSpy>
#include <QString>
#include <QStringList>

#include "distill/pipeline.h"
#include "distill/project.h"
#include "main_window.h"
#include "stage_list_view.h"

namespace distill::ui {

constexpr int kRunTimeoutMs = 180000;

inline QString tokenizerPath() { return qEnvironmentVariable("DISTILL_LLAMA_TOKENIZER"); }

// The demo project saved into `dir` with its sources made absolute and the
// tokenizer CTest names, so the run reads the shipped demo corpus.
inline QString copyDemoProject(const QString& dir) {
    // Without the tokenizer every run fails: say why once, not per test.
    if (!QFileInfo(tokenizerPath()).isFile()) qFatal("set DISTILL_LLAMA_TOKENIZER to the Llama-2 tokenizer.model");
    Project project = load_project(DISTILL_SOURCE_DIR "/resources/demo/demo.distill.json");
    for (SourceSpec& source : project.sources) source.path = project.resolved_path(source);
    project.pipeline.tokenizer = tokenizerPath().toStdString();
    const QString path = dir + "/demo.distill.json";
    save_project(project, path.toStdString());
    return path;
}

// Presses Run and waits for the end; returns whether the run finished.
inline bool runAndWait(MainWindow& window) {
    QSignalSpy finished(&window, &MainWindow::runFinished);
    window.runPipeline();
    if (finished.isEmpty() && !finished.wait(kRunTimeoutMs)) return false;
    return finished.count() == 1 && finished.first().first().toBool();
}

// Opens the demo project copied into `dir`, with its output in `dir`/out,
// and runs it; whether the run finished.
inline bool openAndRunDemo(MainWindow& window, const QString& dir) {
    if (!window.openProject(copyDemoProject(dir))) return false;
    window.setOutputDir(dir + "/out");
    return runAndWait(window);
}

inline QStringList stageStates(MainWindow& window) {
    auto* stages = window.findChild<StageListView*>();
    QStringList states;
    for (int i = 0; i < int(pipeline_stages().size()); ++i) states << stages->stateOf(i);
    return states;
}

}  // namespace distill::ui
