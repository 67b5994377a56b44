#pragma once
// `distill-studio --screenshot FILE PROJECT`: opens the project, loads its
// corpus, saves a PNG of the main window and ends. It makes the README's
// screenshot under Xvfb or the offscreen platform and serves as a smoke test
// of the whole window with no one at the screen.
#include <QObject>
#include <QString>

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
    // 0 when the corpus loaded and the picture was written; otherwise 1,
    // with the reason already on stderr.
    void finished(int exitCode);

private:
    void capture(bool loaded);

    QString projectPath_;
    QString imagePath_;
    std::unique_ptr<MainWindow> window_;
};

}  // namespace distill::ui
