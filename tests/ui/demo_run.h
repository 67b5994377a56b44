#pragma once
// The demo project as the UI suites run it: copied next to a test's files
// with the tokenizer CTest names, and Run pressed and waited for.
#include <QSignalSpy>
#include <QString>

#include "distill/project.h"
#include "main_window.h"

namespace distill::ui {

constexpr int kRunTimeoutMs = 180000;

inline QString tokenizerPath() { return qEnvironmentVariable("DISTILL_LLAMA_TOKENIZER"); }

// The demo project saved into `dir` with its sources made absolute and the
// tokenizer CTest names, so the run reads the shipped demo corpus.
inline QString copyDemoProject(const QString& dir) {
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

}  // namespace distill::ui
