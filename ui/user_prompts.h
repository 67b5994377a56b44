#pragma once
// Every question the main window asks a person goes through UserPrompts.
// The desktop uses modal dialogs (DialogPrompts); the --screenshot run has
// nobody to ask (HeadlessPrompts); tests script the answers. A modal dialog
// opened from code under test would block it, so this seam is what makes
// the Skip/Abort and unsaved-changes paths testable without sleeping.
#include <QString>

#include <cstddef>

class QWidget;

namespace distill::ui {

enum class BadLineChoice { SkipBadLines, Abort };
enum class UnsavedChangesChoice { Save, Discard, Cancel };

class UserPrompts {
public:
    virtual ~UserPrompts() = default;

    // The corpus load stopped at a line it cannot read; `message` is core's
    // "file:line: problem; fix".
    virtual BadLineChoice askBadLine(const QString& message) = 0;
    virtual UnsavedChangesChoice askUnsavedChanges(const QString& projectTitle) = 0;
    virtual bool confirmStartFromPreset(const QString& presetName, const QString& description,
                                        int sourceCount) = 0;
    // Empty when the person cancels.
    virtual QString chooseProjectToOpen(const QString& startDir) = 0;
    virtual QString chooseProjectSavePath(const QString& suggestedPath) = 0;
    // Where Export copies the lit-gpt files; empty when the person cancels.
    virtual QString chooseExportFolder(const QString& startDir) = 0;
    // Where to write the prompt template (a preset JSON file); empty when
    // the person cancels.
    virtual QString chooseTemplateSavePath(const QString& suggestedPath) = 0;
    // Where to save the cluster map as a PNG; empty when the person cancels.
    virtual QString chooseImageSavePath(const QString& suggestedPath) = 0;
    // A threshold sweep's row was chosen while the project clusters with
    // k-means, which has no threshold: true to switch to community detection.
    virtual bool confirmSwitchToCommunities(double threshold, std::size_t minSize) = 0;
    // Run or Export was pressed with unsaved template edits, which a run
    // would not format with: true to save the project and its template and
    // go on, false to go back to editing.
    virtual bool confirmSaveTemplateAndRun() = 0;
    virtual void showError(const QString& title, const QString& message) = 0;
};

class DialogPrompts : public UserPrompts {
public:
    explicit DialogPrompts(QWidget* parent) : parent_(parent) {}

    BadLineChoice askBadLine(const QString& message) override;
    UnsavedChangesChoice askUnsavedChanges(const QString& projectTitle) override;
    bool confirmStartFromPreset(const QString& presetName, const QString& description,
                                int sourceCount) override;
    QString chooseProjectToOpen(const QString& startDir) override;
    QString chooseProjectSavePath(const QString& suggestedPath) override;
    QString chooseExportFolder(const QString& startDir) override;
    QString chooseTemplateSavePath(const QString& suggestedPath) override;
    QString chooseImageSavePath(const QString& suggestedPath) override;
    bool confirmSwitchToCommunities(double threshold, std::size_t minSize) override;
    bool confirmSaveTemplateAndRun() override;
    void showError(const QString& title, const QString& message) override;

private:
    QWidget* parent_;
};

// For runs without a person at the screen (--screenshot): aborts at a bad
// line, declines every offer, never saves (such a run edits nothing) and
// writes errors to stderr so a script sees why it failed.
class HeadlessPrompts : public UserPrompts {
public:
    BadLineChoice askBadLine(const QString& message) override;
    UnsavedChangesChoice askUnsavedChanges(const QString&) override { return UnsavedChangesChoice::Discard; }
    bool confirmStartFromPreset(const QString&, const QString&, int) override { return false; }
    QString chooseProjectToOpen(const QString&) override { return {}; }
    QString chooseProjectSavePath(const QString&) override { return {}; }
    QString chooseExportFolder(const QString&) override { return {}; }
    QString chooseTemplateSavePath(const QString&) override { return {}; }
    QString chooseImageSavePath(const QString&) override { return {}; }
    bool confirmSwitchToCommunities(double, std::size_t) override { return false; }
    bool confirmSaveTemplateAndRun() override { return false; }
    void showError(const QString& title, const QString& message) override;
};

}  // namespace distill::ui
