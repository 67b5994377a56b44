#pragma once
// The window's questions answered from a test's script instead of modal
// dialogs, so nothing waits on a person or a timer; it remembers what it
// was asked.
#include <QList>
#include <QStringList>

#include <cstddef>
#include <memory>
#include <utility>

#include "main_window.h"
#include "user_prompts.h"

namespace distill::ui {

class ScriptedPrompts : public UserPrompts {
public:
    BadLineChoice badLineAnswer = BadLineChoice::Abort;
    UnsavedChangesChoice unsavedAnswer = UnsavedChangesChoice::Cancel;
    bool startFromPresetAnswer = true;
    QString templateSavePathAnswer;  // empty: Cancel
    bool switchToCommunitiesAnswer = true;
    bool saveTemplateAndRunAnswer = false;  // Keep Editing
    int saveTemplateAndRunQuestions = 0;

    QStringList badLineMessages;
    QStringList errors;
    int unsavedQuestions = 0;
    QStringList presetOffers;
    QStringList templateSaveSuggestions;
    QList<std::pair<double, std::size_t>> switchToCommunitiesOffers;  // threshold, min size

    BadLineChoice askBadLine(const QString& message) override {
        badLineMessages << message;
        return badLineAnswer;
    }
    UnsavedChangesChoice askUnsavedChanges(const QString&) override {
        ++unsavedQuestions;
        return unsavedAnswer;
    }
    bool confirmStartFromPreset(const QString& presetName, const QString&, int) override {
        presetOffers << presetName;
        return startFromPresetAnswer;
    }
    QString chooseProjectToOpen(const QString&) override { return {}; }
    QString chooseProjectSavePath(const QString&) override { return {}; }
    QString exportFolderAnswer;  // empty: the person cancels
    QStringList exportFolderStarts;
    QString chooseExportFolder(const QString& startDir) override {
        exportFolderStarts << startDir;
        return exportFolderAnswer;
    }
    QString chooseTemplateSavePath(const QString& suggestedPath) override {
        templateSaveSuggestions << suggestedPath;
        return templateSavePathAnswer;
    }
    QString imageSavePathAnswer;  // empty: Cancel
    QStringList imageSaveSuggestions;
    QString chooseImageSavePath(const QString& suggestedPath) override {
        imageSaveSuggestions << suggestedPath;
        return imageSavePathAnswer;
    }
    bool confirmSwitchToCommunities(double threshold, std::size_t minSize) override {
        switchToCommunitiesOffers.append({threshold, minSize});
        return switchToCommunitiesAnswer;
    }
    bool confirmSaveTemplateAndRun() override {
        ++saveTemplateAndRunQuestions;
        return saveTemplateAndRunAnswer;
    }
    void showError(const QString& title, const QString& message) override { errors << title + ": " + message; }
};

struct Window {
    ScriptedPrompts* prompts;
    std::unique_ptr<MainWindow> main;
};

inline Window makeWindow() {
    auto prompts = std::make_unique<ScriptedPrompts>();
    ScriptedPrompts* raw = prompts.get();
    return {raw, std::make_unique<MainWindow>(std::move(prompts))};
}

}  // namespace distill::ui
