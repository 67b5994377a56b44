#pragma once
// Editors for the cells of the sources table that are not plain text: the
// file path (a line edit with a file-chooser button, shown permanently so
// the button is always in sight) and the format (a combo box of the names
// core accepts).
#include <QStyledItemDelegate>
#include <QWidget>

class QLineEdit;

namespace distill::ui {

class PathEditor : public QWidget {
    Q_OBJECT
public:
    explicit PathEditor(QWidget* parent = nullptr);

    QString path() const;
    void setPath(const QString& path);
    // Where the file dialog opens: the current file's folder when known.
    void setResolvedPath(const QString& resolvedPath) { resolvedPath_ = resolvedPath; }
    void setFileMissing(bool missing);

signals:
    // The user finished typing or picked a file.
    void pathEdited();

private:
    void chooseFile();

    QLineEdit* edit_;
    QAction* missingMarker_;
    QString resolvedPath_;
};

class SourcePathDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                          const QModelIndex& index) const override;
    void setEditorData(QWidget* editor, const QModelIndex& index) const override;
    void setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override;
};

class SourceFormatDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                          const QModelIndex& index) const override;
    void setEditorData(QWidget* editor, const QModelIndex& index) const override;
    void setModelData(QWidget* editor, QAbstractItemModel* model, const QModelIndex& index) const override;
};

}  // namespace distill::ui
