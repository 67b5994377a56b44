#pragma once
// The clusters of a run as a table beside the map: number, size, sampled
// members and keywords, one row per cluster in the clusterer's order (row r
// is cluster r). A 700k corpus has thousands of clusters, more than the
// size chart can show apart; sorted by size or sampled (through a
// QSortFilterProxyModel on SortRole, where numbers stay numbers) and
// filtered by keyword, the table finds the one a curator is after.
#include <QAbstractTableModel>

#include "distill/cluster_map.h"

namespace distill::ui {

class ClusterTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NumberColumn, SizeColumn, SampledColumn, KeywordsColumn, ColumnCount };
    // What the columns sort by: the number itself, or the keywords' text.
    static constexpr int SortRole = Qt::UserRole;

    using QAbstractTableModel::QAbstractTableModel;

    // The map whose clusters to list; null lists none. It must outlive the
    // model, or be replaced first.
    void setMap(const ClusterMap* map);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    const ClusterMap* map_ = nullptr;
};

}  // namespace distill::ui
