#include "source_table_model.h"

#include <QDir>
#include <QFileInfo>

#include "distill/error.h"
#include "qt_strings.h"

namespace distill::ui {
namespace {

// The text member a column edits; nullptr for the format column. A template
// so data() and setData() share it with the right constness.
template <class Spec>
auto textField(Spec& source, int column) -> decltype(&source.name) {
    switch (column) {
        case SourceTableModel::NameColumn: return &source.name;
        case SourceTableModel::PathColumn: return &source.path;
        case SourceTableModel::QuestionColumn: return &source.columns.question;
        case SourceTableModel::AnswerColumn: return &source.columns.answer;
        case SourceTableModel::OriginColumn: return &source.origin;
        default: return nullptr;
    }
}

}  // namespace

void SourceTableModel::setSources(std::vector<SourceSpec> sources, const QString& baseDir) {
    beginResetModel();
    sources_ = std::move(sources);
    baseDir_ = baseDir;
    endResetModel();
}

void SourceTableModel::appendSource(SourceSpec source) {
    const int row = int(sources_.size());
    beginInsertRows({}, row, row);
    sources_.push_back(std::move(source));
    endInsertRows();
}

void SourceTableModel::removeSource(int row) {
    if (row < 0 || row >= int(sources_.size())) return;
    beginRemoveRows({}, row, row);
    sources_.erase(sources_.begin() + row);
    endRemoveRows();
}

int SourceTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(sources_.size());
}

int SourceTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QString SourceTableModel::resolvedPath(const SourceSpec& source) const {
    // The same rule as Project::resolved_path; kept in Qt terms here because
    // the table has no Project, only its folder.
    return QDir(baseDir_).absoluteFilePath(qs(source.path));
}

QVariant SourceTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= int(sources_.size())) return {};
    const SourceSpec& source = sources_[size_t(index.row())];
    const int column = index.column();

    if (role == FileExistsRole && column == PathColumn)
        return !source.path.empty() && QFileInfo(resolvedPath(source)).isFile();
    if (role == ResolvedPathRole && column == PathColumn)
        return source.path.empty() ? QString() : resolvedPath(source);
    if (role != Qt::DisplayRole && role != Qt::EditRole) return {};

    if (column == FormatColumn) return qs(to_string(source.format));
    auto* field = textField(source, column);
    return field ? qs(*field) : QVariant();
}

bool SourceTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role != Qt::EditRole || !index.isValid() || index.row() >= int(sources_.size())) return false;
    SourceSpec& source = sources_[size_t(index.row())];
    const std::string text = value.toString().trimmed().toStdString();

    if (index.column() == FormatColumn) {
        try {
            const SourceFormat format = source_format_from_string(text);
            if (format == source.format) return false;
            source.format = format;
        } catch (const Error&) {
            return false;  // the format editor only offers valid names
        }
    } else {
        auto* field = textField(source, index.column());
        if (!field || *field == text) return false;
        *field = text;
    }
    emit dataChanged(index, index, {Qt::DisplayRole, Qt::EditRole, ResolvedPathRole, FileExistsRole});
    return true;
}

QVariant SourceTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal) return role == Qt::DisplayRole ? QVariant(section + 1) : QVariant();
    if (role == Qt::DisplayRole) {
        switch (section) {
            case NameColumn: return tr("Name");
            case PathColumn: return tr("File");
            case FormatColumn: return tr("Format");
            case QuestionColumn: return tr("Question column");
            case AnswerColumn: return tr("Answer column");
            case OriginColumn: return tr("Origin");
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
            case PathColumn: return tr("A local dataset file: JSONL, JSON (an array, or objects one after another), CSV or TSV");
            case FormatColumn: return tr("auto decides by content and extension");
            case QuestionColumn: return tr("The field renamed to \"question\"; records are deduplicated on it");
            case AnswerColumn: return tr("The field renamed to \"answer\"; every other field is kept");
            case OriginColumn: return tr("Where the data comes from; informational");
        }
    }
    return {};
}

Qt::ItemFlags SourceTableModel::flags(const QModelIndex& index) const {
    if (!index.isValid()) return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsEditable;
}

QStringList SourceTableModel::formatNames() {
    QStringList names;
    for (auto format : {SourceFormat::Auto, SourceFormat::Jsonl, SourceFormat::JsonArray, SourceFormat::Csv,
                        SourceFormat::Tsv})
        names << qs(to_string(format));
    return names;
}

}  // namespace distill::ui
