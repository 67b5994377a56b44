#include "prompt_template_editor.h"
#include "qt_strings.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTextOption>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

namespace distill::ui {
namespace {

// A template text where whitespace is data: a trailing newline or a tab
// changes the prompt, so spaces, tabs and line ends are drawn.
QPlainTextEdit* templateText(const char* objectName, int lines) {
    auto* edit = new QPlainTextEdit;
    edit->setObjectName(objectName);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    QTextOption option = edit->document()->defaultTextOption();
    option.setFlags(option.flags() | QTextOption::ShowTabsAndSpaces | QTextOption::ShowLineAndParagraphSeparators);
    edit->document()->setDefaultTextOption(option);
    const int margins = 2 * (edit->frameWidth() + int(edit->document()->documentMargin())) + 4;
    edit->setFixedHeight(edit->fontMetrics().lineSpacing() * lines + margins);
    return edit;
}

QSpinBox* spinBox(const char* objectName, int minimum) {
    auto* box = new QSpinBox;
    box->setObjectName(objectName);
    box->setRange(minimum, std::numeric_limits<int>::max());
    box->setGroupSeparatorShown(true);
    return box;
}

}  // namespace

PromptTemplateEditor::PromptTemplateEditor(QWidget* parent)
    : QWidget(parent),
      status_(new QLabel),
      maxShots_(spinBox("templateMaxShots", -1)),
      minShots_(spinBox("templateMinShots", 0)),
      fit_(new QComboBox),
      wordBudget_(spinBox("templateWordBudget", 1)),
      lengthLimit_(new QComboBox),
      instructionLast_(new QCheckBox(tr("Write \"instruction\" after \"output\""))),
      sourceRules_(new QLabel),
      saveButton_(new QPushButton(tr("&Save Template"))),
      saveAsButton_(new QPushButton(tr("Save Template &As…"))),
      revertButton_(new QPushButton(tr("Re&vert"))) {
    status_->setObjectName("templateStatus");
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    texts_ = {
        {templateText("templateInstruction", 2), tr("&Instruction:"), &PromptTemplate::instruction},
        {templateText("templateInstructionTrigger", 2), tr("Only &when a shot has:"),
         &PromptTemplate::instruction_trigger},
        {templateText("templateShot", 3), tr("E&xample shot:"), &PromptTemplate::shot},
        {templateText("templateShotSeparator", 2), tr("Shot s&eparator:"), &PromptTemplate::shot_separator},
        {templateText("templateQuery", 3), tr("&Query:"), &PromptTemplate::query},
        {templateText("templateOutput", 2), tr("Ou&tput:"), &PromptTemplate::output},
    };
    texts_[1].edit->setToolTip(tr("The instruction is used only when the question of the last shot looked at "
                                  "contains this text; empty: always"));
    texts_[3].edit->setToolTip(tr("Between consecutive parts of the input: the shots, then the query"));
    texts_[5].edit->setToolTip(tr("The record's output; exactly one placeholder keeps the value's JSON type"));

    maxShots_->setSpecialValueText(tr("all"));  // -1, the minimum
    maxShots_->setToolTip(tr("At most this many shots per prompt"));
    minShots_->setToolTip(tr("Fitting by tokens: a record that does not fit with this many shots is dropped"));
    wordBudget_->setToolTip(tr("Fitting by words: the input's words (split on single spaces) at most"));
    fit_->setObjectName("templateFit");
    fit_->addItem(tr("by words (the reference's math, science)"), int(ShotFit::Words));
    fit_->addItem(tr("by tokens (the reference's cnn)"), int(ShotFit::Tokens));
    fit_->setToolTip(tr("How shots are left out to fit the length limit"));
    lengthLimit_->setObjectName("templateLengthLimit");
    lengthLimit_->addItem(tr("tokens ≤ max length"), int(LengthLimit::AtMost));
    lengthLimit_->addItem(tr("tokens < max length"), int(LengthLimit::Below));
    instructionLast_->setObjectName("templateInstructionLast");
    instructionLast_->setToolTip(tr("The key order of the written record; the reference's cnn and chat files put "
                                    "\"instruction\" last"));
    sourceRules_->setObjectName("templateSourceRules");
    sourceRules_->setWordWrap(true);
    saveButton_->setObjectName("saveTemplate");
    saveButton_->setToolTip(tr("Save the template beside the project, and the project with it (Ctrl+S)"));
    saveAsButton_->setObjectName("saveTemplateAs");
    saveAsButton_->setToolTip(tr("Save the template to a preset file of your choosing (a second template, or "
                                 "one to share between projects), named after the file, make it the project's and "
                                 "save the project"));
    revertButton_->setObjectName("revertTemplate");
    revertButton_->setToolTip(tr("Go back to the saved template"));

    auto* fields = new QWidget;
    auto* form = new QFormLayout(fields);
    for (const TextField& text : texts_) form->addRow(text.label, text.edit);
    form->addRow(tr("Shots at &most:"), maxShots_);
    form->addRow(tr("Fittin&g:"), fit_);
    form->addRow(tr("Word &budget:"), wordBudget_);
    form->addRow(tr("Shots at &least:"), minShots_);
    form->addRow(tr("Length chec&k:"), lengthLimit_);
    form->addRow(QString(), instructionLast_);
    form->addRow(tr("Source rules:"), sourceRules_);
    auto* scroll = new QScrollArea;
    scroll->setWidget(fields);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(revertButton_);
    buttons->addWidget(saveAsButton_);
    buttons->addWidget(saveButton_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(status_);
    layout->addWidget(scroll, 1);
    layout->addLayout(buttons);

    for (const TextField& text : texts_)
        connect(text.edit, &QPlainTextEdit::textChanged, this, &PromptTemplateEditor::readFields);
    for (QSpinBox* box : {maxShots_, minShots_, wordBudget_})
        connect(box, &QSpinBox::valueChanged, this, &PromptTemplateEditor::readFields);
    for (QComboBox* box : {fit_, lengthLimit_})
        connect(box, &QComboBox::currentIndexChanged, this, &PromptTemplateEditor::readFields);
    connect(instructionLast_, &QCheckBox::toggled, this, &PromptTemplateEditor::readFields);
    connect(saveButton_, &QPushButton::clicked, this, &PromptTemplateEditor::saveRequested);
    connect(saveAsButton_, &QPushButton::clicked, this, &PromptTemplateEditor::saveAsRequested);
    connect(revertButton_, &QPushButton::clicked, this, &PromptTemplateEditor::revert);
    setSaved(std::nullopt, tr("No project yet."), true);
}

void PromptTemplateEditor::setSaved(std::optional<PromptPreset> saved, const QString& where, bool discardEdits) {
    saved_ = std::move(saved);
    where_ = where;
    if (discardEdits || !modified_)
        showPreset(saved_);
    else
        updateState();
}

void PromptTemplateEditor::revert() { showPreset(saved_); }

PromptPreset PromptTemplateEditor::preset() const { return *edited_; }

QStringList PromptTemplateEditor::warnings() const {
    QStringList found;
    if (!edited_) return found;
    for (const TextField& text : texts_)
        for (const std::string& warning : placeholder_warnings(edited_->prompt.*text.member))
            found << QString(text.label).remove('&') + ' ' + qs(warning);
    return found;
}

void PromptTemplateEditor::showPreset(const std::optional<PromptPreset>& preset) {
    edited_ = preset;
    const PromptTemplate shown = preset ? preset->prompt : PromptTemplate{};
    {
        // The fields follow the preset; only the curator's edits read them back.
        std::vector<QSignalBlocker> blocks;
        blocks.reserve(texts_.size() + 6);
        for (QObject* field : std::initializer_list<QObject*>{maxShots_, minShots_, fit_, wordBudget_, lengthLimit_,
                                                               instructionLast_})
            blocks.emplace_back(field);
        for (const TextField& text : texts_) {
            blocks.emplace_back(text.edit);
            text.edit->setPlainText(qs(shown.*text.member));
        }
        maxShots_->setValue(std::max(shown.max_shots, -1));
        minShots_->setValue(shown.min_shots);
        fit_->setCurrentIndex(fit_->findData(int(shown.fit)));
        wordBudget_->setValue(shown.word_budget);
        lengthLimit_->setCurrentIndex(lengthLimit_->findData(int(shown.length_limit)));
        instructionLast_->setChecked(shown.instruction_last);
    }
    QStringList rules, descriptions;
    if (preset)
        for (const std::string& name : preset->source_rules) {
            rules << qs(name);
            const auto& all = source_rules();
            const auto rule = std::find_if(all.begin(), all.end(), [&](const SourceRuleInfo& r) { return r.name == name; });
            if (rule != all.end()) descriptions << qs(rule->name + " (" + rule->dataset + "): " + rule->description);
        }
    sourceRules_->setText(rules.isEmpty() ? QString() : rules.join(QStringLiteral(", ")));
    sourceRules_->setToolTip(tr("Tried in order; the first that recognises a record turns it into the question "
                                "and answer:\n%1")
                                 .arg(descriptions.join('\n')));
    updateState();
    emit edited();
}

void PromptTemplateEditor::readFields() {
    if (!edited_) return;
    PromptTemplate& t = edited_->prompt;
    for (const TextField& text : texts_) t.*text.member = text.edit->toPlainText().toStdString();
    t.max_shots = maxShots_->value();
    t.min_shots = minShots_->value();
    t.fit = ShotFit(fit_->currentData().toInt());
    t.word_budget = wordBudget_->value();
    t.length_limit = LengthLimit(lengthLimit_->currentData().toInt());
    t.instruction_last = instructionLast_->isChecked();
    updateState();
    emit edited();
}

void PromptTemplateEditor::updateState() {
    const bool modified = edited_ && (!saved_ || to_json(*edited_) != to_json(*saved_));
    for (const TextField& text : texts_) text.edit->setEnabled(edited_.has_value());
    for (QWidget* knob : std::initializer_list<QWidget*>{maxShots_, fit_, lengthLimit_, instructionLast_})
        knob->setEnabled(edited_.has_value());
    // Each fit reads only its own knob; the other one is kept but idle.
    const bool byWords = fit_->currentData().toInt() == int(ShotFit::Words);
    wordBudget_->setEnabled(edited_ && byWords);
    minShots_->setEnabled(edited_ && !byWords);
    saveButton_->setEnabled(modified);
    saveAsButton_->setEnabled(edited_.has_value());  // a saved template may be copied too
    revertButton_->setEnabled(modified && saved_);
    status_->setText(modified ? tr("<b>Unsaved changes.</b> Saved: %1").arg(where_.toHtmlEscaped())
                              : where_.toHtmlEscaped());
    if (modified != modified_) {
        modified_ = modified;
        emit modifiedChanged(modified);
    }
}

}  // namespace distill::ui
