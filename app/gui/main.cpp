// distill-studio: the desktop application, a thin main over distill_ui.
//   distill-studio [PROJECT]                       open PROJECT (or start empty)
//   distill-studio --screenshot FILE PROJECT       run PROJECT's pipeline, save a PNG of its map, exit
#include <QApplication>
#include <QByteArray>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>

#include "distill/compute_info.h"
#include "main_window.h"
#include "screenshot_run.h"

namespace {

// --help, --version and --screenshot need no screen; on a machine without a
// display (CI, a server) they fall back to Qt's offscreen platform instead of
// failing to start, unless the user picked a platform.
void useOffscreenWhenHeadless(int argc, char** argv) {
    if (qEnvironmentVariableIsSet("QT_QPA_PLATFORM") || qEnvironmentVariableIsSet("DISPLAY") ||
        qEnvironmentVariableIsSet("WAYLAND_DISPLAY"))
        return;
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--help" || arg == "-h" || arg == "--version" || arg == "-v" || arg.startsWith("--screenshot")) {
            qputenv("QT_QPA_PLATFORM", "offscreen");
            return;
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    useOffscreenWhenHeadless(argc, argv);
    QApplication app(argc, argv);
    // Name where QSettings keeps what the GUI remembers between sessions.
    QApplication::setOrganizationName("Distill");
    QApplication::setApplicationName("Distill Studio");
    QApplication::setApplicationVersion(QString::fromLatin1(distill::version()));
    QApplication::setDesktopFileName("distill-studio");

    QCommandLineParser parser;
    parser.setApplicationDescription("Curate instruction-tuning datasets by distillation.");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption screenshot("screenshot",
                                  "Open PROJECT, run its pipeline into a temporary folder, save a PNG of the window on its cluster map to FILE and exit.",
                                  "FILE");
    parser.addOption(screenshot);
    parser.addPositionalArgument("project", "A project file to open (*.distill.json).", "[PROJECT]");
    parser.process(app);

    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1) {
        std::fprintf(stderr, "distill-studio: at most one project file, got %lld\n", qlonglong(positional.size()));
        return 2;
    }
    const QString projectPath = positional.value(0);

    if (parser.isSet(screenshot)) {
        if (projectPath.isEmpty()) {
            std::fprintf(stderr, "distill-studio: --screenshot needs a project file\n");
            return 2;
        }
        distill::ui::ScreenshotRun run(projectPath, parser.value(screenshot));
        QObject::connect(&run, &distill::ui::ScreenshotRun::finished, &app, &QCoreApplication::exit);
        QTimer::singleShot(0, &run, &distill::ui::ScreenshotRun::start);
        return app.exec();
    }

    distill::ui::MainWindow window;
    window.show();
    if (!projectPath.isEmpty()) window.openProject(projectPath);
    return app.exec();
}
