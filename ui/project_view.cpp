#include "project_view.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTableView>
#include <QVBoxLayout>

#include "source_delegates.h"
#include "source_table_model.h"

namespace distill::ui {

ProjectView::ProjectView(QWidget* parent)
    : QWidget(parent),
      name_(new QLineEdit(this)),
      domain_(new QComboBox(this)),
      badLinePolicy_(new QComboBox(this)),
      sources_(new SourceTableModel(this)) {
    name_->setObjectName("projectName");
    name_->setPlaceholderText(tr("Untitled"));

    // A domain is a preset name or one the user makes up.
    domain_->setObjectName("domain");
    domain_->setEditable(true);
    domain_->setInsertPolicy(QComboBox::NoInsert);
    for (const auto& preset : domain_presets()) domain_->addItem(QString::fromStdString(preset.name));

    badLinePolicy_->setObjectName("badLinePolicy");
    badLinePolicy_->addItem(tr("Stop and ask"), int(BadInputPolicy::Abort));
    badLinePolicy_->addItem(tr("Skip and count them"), int(BadInputPolicy::Skip));
    badLinePolicy_->setToolTip(tr("What loading does with a line that cannot become a record"));

    auto* form = new QFormLayout;
    form->addRow(tr("&Name:"), name_);
    form->addRow(tr("&Domain:"), domain_);
    form->addRow(tr("On a &bad line:"), badLinePolicy_);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(form);
    layout->addWidget(createSourcesTable(), 1);
    setFocusProxy(sourcesTable_);

    connect(name_, &QLineEdit::textEdited, this, &ProjectView::edited);
    connect(domain_, &QComboBox::currentTextChanged, this, &ProjectView::edited);
    connect(badLinePolicy_, &QComboBox::currentIndexChanged, this, &ProjectView::edited);
    connect(sources_, &QAbstractItemModel::dataChanged, this, &ProjectView::sourcesEdited);
    connect(sources_, &QAbstractItemModel::rowsInserted, this, &ProjectView::sourcesEdited);
    connect(sources_, &QAbstractItemModel::rowsRemoved, this, &ProjectView::sourcesEdited);
    connect(this, &ProjectView::sourcesEdited, this, &ProjectView::edited);
}

QWidget* ProjectView::createSourcesTable() {
    auto* title = new QLabel(tr("Sources, in pooling order (a later source wins on a duplicate question):"));

    sourcesTable_ = new QTableView;
    sourcesTable_->setObjectName("sources");
    sourcesTable_->setModel(sources_);
    sourcesTable_->setItemDelegateForColumn(SourceTableModel::PathColumn, new SourcePathDelegate(sourcesTable_));
    sourcesTable_->setItemDelegateForColumn(SourceTableModel::FormatColumn,
                                            new SourceFormatDelegate(sourcesTable_));
    sourcesTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
    sourcesTable_->setSelectionMode(QAbstractItemView::SingleSelection);
    sourcesTable_->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                                   QAbstractItemView::AnyKeyPressed);
    sourcesTable_->setAlternatingRowColors(true);
    sourcesTable_->setWordWrap(false);
    // Rows tall enough for the permanent path editor and its button.
    sourcesTable_->verticalHeader()->setDefaultSectionSize(PathEditor().sizeHint().height() + 2);
    sourcesTable_->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    auto* header = sourcesTable_->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(SourceTableModel::PathColumn, QHeaderView::Stretch);
    header->resizeSection(SourceTableModel::NameColumn, 140);
    header->resizeSection(SourceTableModel::FormatColumn, 80);
    header->resizeSection(SourceTableModel::QuestionColumn, 125);
    header->resizeSection(SourceTableModel::AnswerColumn, 120);
    header->resizeSection(SourceTableModel::OriginColumn, 190);

    connect(sources_, &QAbstractItemModel::modelReset, this, [this] {
        openPathEditors(0, sources_->rowCount() - 1);
        removeSourceButton_->setEnabled(false);  // a reset clears the selection without a signal
    });
    connect(sources_, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex&, int first, int last) { openPathEditors(first, last); });

    auto* addButton = new QPushButton(tr("&Add Source"));
    addButton->setObjectName("addSource");
    removeSourceButton_ = new QPushButton(tr("&Remove Source"));
    removeSourceButton_->setObjectName("removeSource");
    removeSourceButton_->setEnabled(false);
    connect(addButton, &QPushButton::clicked, this, &ProjectView::addSource);
    connect(removeSourceButton_, &QPushButton::clicked, this, &ProjectView::removeCurrentSource);
    connect(sourcesTable_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { removeSourceButton_->setEnabled(sourcesTable_->selectionModel()->hasSelection()); });

    auto* buttons = new QHBoxLayout;
    buttons->addStretch(1);
    buttons->addWidget(addButton);
    buttons->addWidget(removeSourceButton_);

    auto* box = new QWidget;
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title);
    layout->addWidget(sourcesTable_, 1);
    layout->addLayout(buttons);
    return box;
}

void ProjectView::openPathEditors(int firstRow, int lastRow) {
    for (int row = firstRow; row <= lastRow; ++row)
        sourcesTable_->openPersistentEditor(sources_->index(row, SourceTableModel::PathColumn));
}

void ProjectView::setProject(const Project& project) {
    project_ = project;
    const QSignalBlocker blockName(name_), blockDomain(domain_), blockPolicy(badLinePolicy_),
        blockOwnSignals(this);
    name_->setText(QString::fromStdString(project.name));
    domain_->setCurrentText(QString::fromStdString(project.domain));
    badLinePolicy_->setCurrentIndex(badLinePolicy_->findData(int(project.on_bad_line)));
    sources_->setSources(project.sources, QString::fromStdString(project.base_dir));
}

Project ProjectView::project() const {
    Project project = project_;
    project.name = name_->text().trimmed().toStdString();
    project.domain = domain_->currentText().trimmed().toStdString();
    project.on_bad_line = BadInputPolicy(badLinePolicy_->currentData().toInt());
    project.sources = sources_->sources();
    return project;
}

void ProjectView::setBadLinePolicy(BadInputPolicy policy) {
    badLinePolicy_->setCurrentIndex(badLinePolicy_->findData(int(policy)));
}

void ProjectView::appendFewShotEdit(const FewShotEdit& edit) {
    project_.fewshot_edits.push_back(edit);
    emit edited();
}

void ProjectView::removeLastFewShotEdit() {
    if (project_.fewshot_edits.empty()) return;
    project_.fewshot_edits.pop_back();
    emit edited();
}

void ProjectView::addSource() {
    SourceSpec source;
    source.name = tr("source %1").arg(sources_->rowCount() + 1).toStdString();
    sources_->appendSource(std::move(source));
    const QModelIndex name = sources_->index(sources_->rowCount() - 1, SourceTableModel::NameColumn);
    sourcesTable_->setCurrentIndex(name);
    sourcesTable_->edit(name);
}

void ProjectView::removeCurrentSource() {
    const QModelIndexList rows = sourcesTable_->selectionModel()->selectedRows();
    if (!rows.isEmpty()) sources_->removeSource(rows.first().row());
}

}  // namespace distill::ui
