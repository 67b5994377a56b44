#include "domain_preset_list.h"

#include <QLabel>
#include <QListWidget>
#include <QScopedValueRollback>
#include <QVBoxLayout>

namespace distill::ui {

DomainPresetList::DomainPresetList(QWidget* parent)
    : QWidget(parent), list_(new QListWidget(this)), details_(new QLabel(this)) {
    list_->setObjectName("domainPresets");
    for (const auto& preset : domain_presets()) {
        auto* item = new QListWidgetItem(QString::fromStdString(preset.name), list_);
        item->setToolTip(QString::fromStdString(preset.description));
    }
    details_->setObjectName("presetDetails");
    details_->setWordWrap(true);
    details_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    details_->setTextFormat(Qt::RichText);

    auto* title = new QLabel(tr("Domain presets"), this);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title);
    layout->addWidget(list_, 1);
    layout->addWidget(details_);
    setFocusProxy(list_);

    // Selection, not the current row: a view makes its first row current
    // when it gains focus, and tabbing through must not offer anything.
    connect(list_->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        const QModelIndexList selected = list_->selectionModel()->selectedRows();
        const int row = selected.isEmpty() ? -1 : selected.first().row();
        describe(row);
        if (row >= 0 && !showingDomain_) emit presetSelected(domain_presets()[size_t(row)]);
    });
}

void DomainPresetList::showDomain(const std::string& domain) {
    const auto& presets = domain_presets();
    int row = -1;
    for (size_t i = 0; i < presets.size(); ++i)
        if (presets[i].name == domain) row = int(i);
    // Not a QSignalBlocker: the view itself repaints on the selection
    // model's signals.
    const QScopedValueRollback quiet(showingDomain_, true);
    if (row >= 0)
        list_->setCurrentRow(row);
    else
        list_->clearSelection();
    describe(row);
}

void DomainPresetList::describe(int row) {
    if (row < 0) {
        details_->setText(tr("Select a preset to see what it pools. An empty project can start from it."));
        return;
    }
    const DomainPreset& preset = domain_presets()[size_t(row)];
    QString text = QStringLiteral("<p>%1</p><p>").arg(QString::fromStdString(preset.description).toHtmlEscaped());
    for (const SourceSpec& source : preset.sources)
        text += QStringLiteral("%1 <small>(%2 → %3)</small><br>")
                    .arg(QString::fromStdString(source.name).toHtmlEscaped(),
                         QString::fromStdString(source.columns.question).toHtmlEscaped(),
                         QString::fromStdString(source.columns.answer).toHtmlEscaped());
    details_->setText(text + QStringLiteral("</p>"));
}

}  // namespace distill::ui
