#include "replacement_chooser.h"
#include "question_index.h"

#include <QAbstractListModel>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QPushButton>
#include <QSignalBlocker>
#include <QVBoxLayout>

#include <numeric>
#include <optional>
#include <vector>

namespace distill::ui {

// The corpus questions containing the filter, case-insensitively, in corpus
// order; every question while the filter is empty.
class QuestionFilterModel : public QAbstractListModel {
public:
    using QAbstractListModel::QAbstractListModel;

    void setOutcome(std::shared_ptr<const PipelineOutcome> outcome) {
        outcome_ = std::move(outcome);
    }

    void setFilter(const QString& text) {
        beginResetModel();
        matches_.clear();
        const std::size_t corpus = outcome_ ? outcome_->records.size() : 0;
        if (text.isEmpty()) {
            matches_.resize(corpus);
            std::iota(matches_.begin(), matches_.end(), std::size_t(0));
        } else if (corpus > 0) {
            matches_ = outcome_->questionIndex.rowsContaining(text);
        }
        endResetModel();
    }

    std::size_t corpusRow(int row) const { return matches_[std::size_t(row)]; }

    int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(matches_.size()); }

    QVariant data(const QModelIndex& index, int role) const override {
        if (!index.isValid() || (role != Qt::DisplayRole && role != Qt::ToolTipRole)) return {};
        return QString::fromStdString(outcome_->question(corpusRow(index.row())));
    }

private:
    std::shared_ptr<const PipelineOutcome> outcome_;
    std::vector<std::size_t> matches_;    // the corpus rows listed
};

ReplacementChooser::ReplacementChooser(QWidget* parent)
    : QDialog(parent),
      model_(new QuestionFilterModel(this)),
      title_(new QLabel),
      filter_(new QLineEdit),
      questions_(new QListView),
      status_(new QLabel),
      buttons_(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel)) {
    setWindowTitle(tr("Replace Shot"));
    title_->setObjectName("replacementTitle");
    title_->setWordWrap(true);
    filter_->setObjectName("replacementFilter");
    filter_->setPlaceholderText(tr("Filter the corpus's questions (any part, any case)"));
    filter_->setClearButtonEnabled(true);
    questions_->setObjectName("replacementQuestions");
    questions_->setModel(model_);
    questions_->setUniformItemSizes(true);  // else the view measures every row of the corpus
    questions_->setSelectionMode(QAbstractItemView::SingleSelection);
    questions_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    status_->setObjectName("replacementStatus");
    status_->setWordWrap(true);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title_);
    layout->addWidget(filter_);
    layout->addWidget(questions_, 1);
    layout->addWidget(status_);
    layout->addWidget(buttons_);
    resize(760, 520);

    connect(filter_, &QLineEdit::textChanged, this, &ReplacementChooser::applyFilter);
    connect(questions_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ReplacementChooser::updateChoice);
    connect(questions_, &QListView::doubleClicked, this, [this] {
        if (chosenRow()) accept();
    });
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    setOutcome(nullptr);
}

void ReplacementChooser::setOutcome(std::shared_ptr<const PipelineOutcome> outcome) {
    outcome_ = std::move(outcome);
    model_->setOutcome(outcome_);
    {
        const QSignalBlocker block(filter_);
        filter_->clear();
    }
    applyFilter(QString());
}

void ReplacementChooser::chooseFor(const std::string& origin, const std::set<std::string>& shots,
                                   const std::string& shot, int position) {
    origin_ = origin;
    shots_ = shots;
    const QString elided = fontMetrics().elidedText(QString::fromStdString(shot), Qt::ElideRight, 600);
    title_->setText(tr("Replace shot %1, “%2”, with:").arg(position + 1).arg(elided));
    title_->setToolTip(QString::fromStdString(shot));
    filter_->selectAll();
    filter_->setFocus();
    updateChoice();
}

std::optional<std::size_t> ReplacementChooser::chosenRow() const {
    const auto row = selectedRow();
    return row && whyNotChoosable(*row).isEmpty() ? row : std::nullopt;
}

int ReplacementChooser::matchCount() const { return model_->rowCount(); }

void ReplacementChooser::applyFilter(const QString& text) {
    model_->setFilter(text);
    // The first match is selected so that typing and Enter chooses it.
    if (model_->rowCount() > 0) questions_->setCurrentIndex(model_->index(0));
    updateChoice();
}

std::optional<std::size_t> ReplacementChooser::selectedRow() const {
    const QModelIndex current = questions_->currentIndex();
    if (!current.isValid() || !questions_->selectionModel()->isSelected(current)) return std::nullopt;
    return model_->corpusRow(current.row());
}

QString ReplacementChooser::whyNotChoosable(std::size_t row) const {
    const std::string& question = outcome_->question(row);
    if (question == origin_) return tr("That is the origin itself; an origin cannot be its own shot.");
    if (shots_.count(question)) return tr("That is already one of this origin's shots.");
    return {};
}

void ReplacementChooser::updateChoice() {
    const std::size_t corpus = outcome_ ? outcome_->records.size() : 0;
    QString status = tr("%1 of %2 questions match.")
                         .arg(QLocale().toString(qulonglong(matchCount())), QLocale().toString(qulonglong(corpus)));
    if (const auto row = selectedRow()) {
        if (const QString why = whyNotChoosable(*row); !why.isEmpty()) status += ' ' + why;
    } else {
        status += ' ' + tr("Select the question that takes the shot's place.");
    }
    status_->setText(status);
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(chosenRow().has_value());
}

}  // namespace distill::ui
