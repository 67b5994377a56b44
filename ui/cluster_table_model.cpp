#include "cluster_table_model.h"
#include "qt_strings.h"

#include <QStringList>

namespace distill::ui {
namespace {

QString keywordsOf(const ClusterSummary& cluster) {
    QStringList terms;
    for (const Keyword& keyword : cluster.keywords) terms << qs(keyword.term);
    return terms.join(QStringLiteral(", "));
}

}  // namespace

void ClusterTableModel::setMap(const ClusterMap* map) {
    beginResetModel();
    map_ = map;
    endResetModel();
}

int ClusterTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() || !map_ ? 0 : int(map_->clusters.size());
}

int ClusterTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ClusterTableModel::data(const QModelIndex& index, int role) const {
    if (!map_ || !index.isValid() || index.row() >= rowCount()) return {};
    const ClusterSummary& cluster = map_->clusters[std::size_t(index.row())];
    const bool shown = role == Qt::DisplayRole || role == SortRole;
    switch (index.column()) {
    case NumberColumn:
        if (shown) return qulonglong(index.row() + 1);  // numbered as the map and the size chart name them
        break;
    case SizeColumn:
        if (shown) return qulonglong(cluster.size);
        break;
    case SampledColumn:
        if (shown) return qulonglong(cluster.sampled.size());
        break;
    case KeywordsColumn:
        // The whole list on hover: the column cuts it off.
        if (shown || role == Qt::ToolTipRole) return keywordsOf(cluster);
        break;
    default:
        break;
    }
    if (role == Qt::TextAlignmentRole && index.column() != KeywordsColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant ClusterTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case NumberColumn: return tr("#");
    case SizeColumn: return tr("Size");
    case SampledColumn: return tr("Sampled");
    case KeywordsColumn: return tr("Keywords");
    default: return {};
    }
}

}  // namespace distill::ui
