#pragma once
// `distill-studio --screenshot FILE PROJECT`: opens the project, runs its
// pipeline into a temporary folder, saves a PNG of the main window on the
// cluster map (its largest cluster selected) and ends. It makes the README's
// screenshot under Xvfb or the offscreen platform and serves as a smoke test
// of the whole window with no one at the screen.
#include <QObject>
#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace distill::ui {

class MainWindow;

class ScreenshotRun : public QObject {
    Q_OBJECT
public:
    ScreenshotRun(QString projectPath, QString imagePath, QObject* parent = nullptr);
    ~ScreenshotRun() override;

    // Asynchronous: ends with finished().
    void start();

signals:
    // 0 when the run finished and the picture was written; otherwise 1,
    // with the reason already on stderr.
    void finished(int exitCode);

private:
    void capture(bool ran);

    QString projectPath_;
    QString imagePath_;
    QTemporaryDir outputDir_;
    std::unique_ptr<MainWindow> window_;
};

}  // namespace distill::ui
