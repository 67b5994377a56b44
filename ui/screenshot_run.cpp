#include "screenshot_run.h"

#include <QDir>
#include <QPixmap>
#include <QTimer>

#include <cstdio>

#include "main_window.h"
#include "user_prompts.h"

namespace distill::ui {

ScreenshotRun::ScreenshotRun(QString projectPath, QString imagePath, QObject* parent)
    : QObject(parent), projectPath_(std::move(projectPath)), imagePath_(std::move(imagePath)) {}

ScreenshotRun::~ScreenshotRun() = default;

void ScreenshotRun::start() {
    window_ = std::make_unique<MainWindow>(std::make_unique<HeadlessPrompts>());
    window_->show();
    if (!window_->openProject(projectPath_)) {
        emit finished(1);
        return;
    }
    connect(window_.get(), &MainWindow::corpusLoadFinished, this, [this](bool loaded) {
        // Let the summary's layout settle before the picture is taken.
        QTimer::singleShot(0, this, [this, loaded] { capture(loaded); });
    });
    window_->loadCorpus();
}

void ScreenshotRun::capture(bool loaded) {
    if (!loaded) {
        std::fprintf(stderr, "distill-studio: the corpus of %s did not load; no screenshot written\n",
                     qPrintable(QDir::toNativeSeparators(projectPath_)));
        emit finished(1);
        return;
    }
    if (!window_->grab().save(imagePath_, "PNG")) {
        std::fprintf(stderr, "distill-studio: cannot write %s\n", qPrintable(QDir::toNativeSeparators(imagePath_)));
        emit finished(1);
        return;
    }
    emit finished(0);
}

}  // namespace distill::ui
