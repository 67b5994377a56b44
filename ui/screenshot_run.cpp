#include "screenshot_run.h"

#include <QDir>
#include <QPixmap>
#include <QTimer>

#include <cstdio>

#include "cluster_map_view.h"
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
    if (!outputDir_.isValid()) {
        std::fprintf(stderr, "distill-studio: cannot make a temporary output folder: %s\n",
                     qPrintable(outputDir_.errorString()));
        emit finished(1);
        return;
    }
    // The picture shows a fresh run; the project's own output stays untouched.
    window_->setOutputDir(outputDir_.path());
    connect(window_.get(), &MainWindow::runFinished, this, [this](bool ran) {
        if (ran) {
            window_->showClusterMap();
            if (auto* map = window_->findChild<ClusterMapView*>()) map->selectCluster(0);
        }
        // Let the map's layout settle before the picture is taken.
        QTimer::singleShot(0, this, [this, ran] { capture(ran); });
    });
    window_->runPipeline();
}

void ScreenshotRun::capture(bool ran) {
    if (!ran) {
        std::fprintf(stderr, "distill-studio: the run of %s did not finish; no screenshot written\n",
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
