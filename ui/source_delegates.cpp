#include "source_delegates.h"

#include <QAction>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QStyle>
#include <QToolButton>

#include "source_table_model.h"

namespace distill::ui {

PathEditor::PathEditor(QWidget* parent) : QWidget(parent), edit_(new QLineEdit(this)) {
    // Cells are filled by the editor, so it brings its own background.
    setAutoFillBackground(true);
    edit_->setFrame(false);
    edit_->setPlaceholderText(tr("Choose a file…"));
    missingMarker_ = edit_->addAction(style()->standardIcon(QStyle::SP_MessageBoxWarning),
                                      QLineEdit::TrailingPosition);
    missingMarker_->setToolTip(tr("File not found"));
    missingMarker_->setVisible(false);
    // The field is often narrower than the path: the whole of it on hover.
    connect(edit_, &QLineEdit::textChanged, edit_, &QLineEdit::setToolTip);

    auto* browse = new QToolButton(this);
    browse->setText(QStringLiteral("…"));
    browse->setToolTip(tr("Choose the source file"));
    browse->setAutoRaise(true);

    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(edit_, 1);
    layout->addWidget(browse);
    // No focus proxy: the item view select-alls an editor's line edit found
    // through it, which would leave every permanent path editor highlighted.

    connect(edit_, &QLineEdit::editingFinished, this, [this] {
        if (edit_->isModified()) {
            edit_->setModified(false);
            emit pathEdited();
        }
    });
    connect(browse, &QToolButton::clicked, this, &PathEditor::chooseFile);
}

QString PathEditor::path() const { return edit_->text(); }

void PathEditor::setPath(const QString& path) {
    if (edit_->text() != path) edit_->setText(path);
}

void PathEditor::setFileMissing(bool missing) { missingMarker_->setVisible(missing); }

void PathEditor::chooseFile() {
    const QString startDir = resolvedPath_.isEmpty() ? QString() : QFileInfo(resolvedPath_).absolutePath();
    const QString chosen = QFileDialog::getOpenFileName(
        this, tr("Choose Source File"), startDir,
        tr("Datasets (*.jsonl *.json *.csv *.tsv);;All files (*)"));
    if (chosen.isEmpty()) return;
    edit_->setText(chosen);
    emit pathEdited();
}

QWidget* SourcePathDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem&,
                                          const QModelIndex&) const {
    auto* editor = new PathEditor(parent);
    connect(editor, &PathEditor::pathEdited, this, [this, editor] {
        emit const_cast<SourcePathDelegate*>(this)->commitData(editor);
    });
    return editor;
}

void SourcePathDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const {
    auto* pathEditor = static_cast<PathEditor*>(editor);
    pathEditor->setPath(index.data(Qt::EditRole).toString());
    pathEditor->setResolvedPath(index.data(SourceTableModel::ResolvedPathRole).toString());
    const bool hasPath = !pathEditor->path().isEmpty();
    pathEditor->setFileMissing(hasPath && !index.data(SourceTableModel::FileExistsRole).toBool());
}

void SourcePathDelegate::setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const {
    model->setData(index, static_cast<PathEditor*>(editor)->path());
}

QWidget* SourceFormatDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem&,
                                            const QModelIndex&) const {
    auto* combo = new QComboBox(parent);
    combo->addItems(SourceTableModel::formatNames());
    // Commit as soon as a format is picked, like a native table's combo.
    connect(combo, &QComboBox::activated, this, [this, combo] {
        auto* self = const_cast<SourceFormatDelegate*>(this);
        emit self->commitData(combo);
        emit self->closeEditor(combo);
    });
    return combo;
}

void SourceFormatDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const {
    static_cast<QComboBox*>(editor)->setCurrentText(index.data(Qt::EditRole).toString());
}

void SourceFormatDelegate::setModelData(QWidget* editor, QAbstractItemModel* model,
                                        const QModelIndex& index) const {
    model->setData(index, static_cast<QComboBox*>(editor)->currentText());
}

}  // namespace distill::ui
