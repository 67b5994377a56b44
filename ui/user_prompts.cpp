#include "user_prompts.h"

#include <QFileDialog>
#include <QGridLayout>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>

#include <cstdio>

namespace distill::ui {
namespace {

QString projectFileFilter() {
    return QObject::tr("Distill projects (*.distill.json);;JSON files (*.json);;All files (*)");
}

QString templateFileFilter() {
    return QObject::tr("Prompt presets (*.prompt.json);;JSON files (*.json);;All files (*)");
}

}  // namespace

BadLineChoice DialogPrompts::askBadLine(const QString& message) {
    QMessageBox box(QMessageBox::Warning, QObject::tr("Bad input"), QObject::tr("Loading the corpus stopped:"),
                    QMessageBox::NoButton, parent_);
    box.setInformativeText(message + QObject::tr("\n\nSkip lines that cannot be read (they are counted and "
                                                 "listed), or abort the load?"));
    auto* skip = box.addButton(QObject::tr("Skip Bad Lines"), QMessageBox::AcceptRole);
    box.addButton(QObject::tr("Abort"), QMessageBox::RejectRole);
    box.setDefaultButton(skip);
    // QMessageBox sizes itself for short texts; core's messages carry a
    // path, a position and a fix, which read badly wrapped into a narrow box.
    if (auto* grid = qobject_cast<QGridLayout*>(box.layout()))
        grid->addItem(new QSpacerItem(520, 0, QSizePolicy::Minimum, QSizePolicy::Fixed), grid->rowCount(), 0, 1,
                      grid->columnCount());
    box.exec();
    return box.clickedButton() == skip ? BadLineChoice::SkipBadLines : BadLineChoice::Abort;
}

UnsavedChangesChoice DialogPrompts::askUnsavedChanges(const QString& projectTitle) {
    const auto answer = QMessageBox::warning(
        parent_, QObject::tr("Unsaved changes"),
        QObject::tr("Save the changes to %1?").arg(projectTitle),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    switch (answer) {
        case QMessageBox::Save: return UnsavedChangesChoice::Save;
        case QMessageBox::Discard: return UnsavedChangesChoice::Discard;
        default: return UnsavedChangesChoice::Cancel;
    }
}

bool DialogPrompts::confirmStartFromPreset(const QString& presetName, const QString& description,
                                           int sourceCount) {
    const QString adds = sourceCount == 1 ? QObject::tr("It adds 1 source")
                                          : QObject::tr("It adds %1 sources").arg(sourceCount);
    const auto answer = QMessageBox::question(
        parent_, QObject::tr("Start from a preset"),
        QObject::tr("Start this project from the %1 preset?\n\n%2\n\n%3; you then point each one at a local "
                    "file.")
            .arg(presetName, description, adds));
    return answer == QMessageBox::Yes;
}

QString DialogPrompts::chooseProjectToOpen(const QString& startDir) {
    return QFileDialog::getOpenFileName(parent_, QObject::tr("Open Project"), startDir, projectFileFilter());
}

QString DialogPrompts::chooseProjectSavePath(const QString& suggestedPath) {
    return QFileDialog::getSaveFileName(parent_, QObject::tr("Save Project As"), suggestedPath,
                                        projectFileFilter());
}

QString DialogPrompts::chooseExportFolder(const QString& startDir) {
    return QFileDialog::getExistingDirectory(parent_, QObject::tr("Export lit-gpt Files To"), startDir);
}

QString DialogPrompts::chooseTemplateSavePath(const QString& suggestedPath) {
    return QFileDialog::getSaveFileName(parent_, QObject::tr("Save Template As"), suggestedPath,
                                        templateFileFilter());
}

QString DialogPrompts::chooseImageSavePath(const QString& suggestedPath) {
    return QFileDialog::getSaveFileName(parent_, QObject::tr("Save Map Image"), suggestedPath,
                                        QObject::tr("PNG images (*.png)"));
}

bool DialogPrompts::confirmSwitchToCommunities(double threshold, std::size_t minSize) {
    const auto answer = QMessageBox::question(
        parent_, QObject::tr("Switch to community detection"),
        QObject::tr("The project clusters with k-means. Switch to community detection at threshold %1, min "
                    "size %2?")
            .arg(QLocale().toString(threshold, 'f', 3), QLocale().toString(qulonglong(minSize))));
    return answer == QMessageBox::Yes;
}

bool DialogPrompts::confirmSaveTemplateAndRun() {
    QMessageBox box(QMessageBox::Question, QObject::tr("Unsaved template"),
                    QObject::tr("The prompt template has unsaved changes. A run formats with the saved template: "
                                "save it (and the project) first?"),
                    QMessageBox::NoButton, parent_);
    QPushButton* save = box.addButton(QObject::tr("Save and Run"), QMessageBox::AcceptRole);
    box.addButton(QObject::tr("Keep Editing"), QMessageBox::RejectRole);
    box.setDefaultButton(save);
    box.exec();
    return box.clickedButton() == save;
}

void DialogPrompts::showError(const QString& title, const QString& message) {
    QMessageBox::critical(parent_, title, message);
}

BadLineChoice HeadlessPrompts::askBadLine(const QString& message) {
    std::fprintf(stderr, "distill-studio: %s (set the project's on_bad_line to skip to continue past it)\n",
                 qPrintable(message));
    return BadLineChoice::Abort;
}

void HeadlessPrompts::showError(const QString& title, const QString& message) {
    std::fprintf(stderr, "distill-studio: %s: %s\n", qPrintable(title), qPrintable(message));
}

}  // namespace distill::ui
