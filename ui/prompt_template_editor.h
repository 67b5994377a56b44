#pragma once
// Edits the prompt template of the project's format stage (SPEC §5, §7):
// every field of its PromptTemplate as text or a knob, and the preset's
// source rules, listed read-only (they are code). It holds two presets: the
// saved one, which pipeline.prompt names (a built-in preset or a preset JSON
// file), and the one being edited; they differ while there are unsaved
// changes. It writes no file itself: the main window saves the template
// together with the project, so the file on disk and the project's
// pipeline.prompt always agree. Every edit emits edited(), on which the
// few-shot tab renders its preview again.
#include <QWidget>

#include <optional>
#include <string>
#include <vector>

#include "distill/format.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace distill::ui {

class PromptTemplateEditor : public QWidget {
    Q_OBJECT
public:
    explicit PromptTemplateEditor(QWidget* parent = nullptr);

    // The template as saved, and where it is (a built-in preset, a file);
    // nullopt when the project has none, `where` then says why. Unsaved
    // edits are kept, and then compared with the new saved template, unless
    // `discardEdits`.
    void setSaved(std::optional<PromptPreset> saved, const QString& where, bool discardEdits);

    // Whether there is a template to edit: a saved one or unsaved edits.
    bool hasTemplate() const { return edited_.has_value(); }
    // The preset as edited: the name, description and source rules of the
    // one the edits started from, with the edited template. hasTemplate() only.
    PromptPreset preset() const;
    bool isModified() const { return modified_; }
    // Text that looks meant as a placeholder but is not one, per field
    // ("Query: ..."); empty when there is none.
    QStringList warnings() const;

    // Back to the saved template.
    void revert();

signals:
    // The template as edited changed.
    void edited();
    void modifiedChanged(bool modified);
    // The curator asked to save the template (with the project).
    void saveRequested();
    // The curator asked to save the template to a file of their choosing.
    void saveAsRequested();

private:
    // One multi-line text of the template and the member it edits.
    struct TextField {
        QPlainTextEdit* edit;
        QString label;
        std::string PromptTemplate::*member;
    };

    void showPreset(const std::optional<PromptPreset>& preset);
    void readFields();
    void updateState();

    std::optional<PromptPreset> saved_;
    std::optional<PromptPreset> edited_;  // kept in step with the fields
    QString where_;
    bool modified_ = false;

    QLabel* status_;
    std::vector<TextField> texts_;
    QSpinBox* maxShots_;
    QSpinBox* minShots_;
    QComboBox* fit_;
    QSpinBox* wordBudget_;
    QComboBox* lengthLimit_;
    QCheckBox* instructionLast_;
    QLabel* sourceRules_;
    QPushButton* saveButton_;
    QPushButton* saveAsButton_;
    QPushButton* revertButton_;
};

}  // namespace distill::ui
