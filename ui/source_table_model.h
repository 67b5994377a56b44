#pragma once
// The editable table of a project's sources: one row per SourceSpec, in
// pooling order (a later source wins on duplicate questions).
#include <QAbstractTableModel>
#include <QString>

#include <vector>

#include "distill/corpus.h"

namespace distill::ui {

class SourceTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, PathColumn, FormatColumn, QuestionColumn, AnswerColumn, OriginColumn, ColumnCount };
    // On PathColumn: the path made absolute, and whether it names an existing
    // file, so the path editor can start its file dialog there and flag a
    // missing file before the user presses Load.
    static constexpr int ResolvedPathRole = Qt::UserRole + 1;
    static constexpr int FileExistsRole = Qt::UserRole + 2;

    using QAbstractTableModel::QAbstractTableModel;

    // `baseDir` is the project file's folder: relative paths resolve against it.
    void setSources(std::vector<SourceSpec> sources, const QString& baseDir);
    const std::vector<SourceSpec>& sources() const { return sources_; }
    void appendSource(SourceSpec source);
    void removeSource(int row);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;

    // The names SourceFormat is saved under, for the format editor.
    static QStringList formatNames();

private:
    QString resolvedPath(const SourceSpec& source) const;

    std::vector<SourceSpec> sources_;
    QString baseDir_;
};

}  // namespace distill::ui
