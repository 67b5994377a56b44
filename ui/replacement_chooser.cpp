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

#include <algorithm>
#include <numeric>
#include <optional>
#include <unordered_map>
#include <vector>

#include "shot_ranker.h"

namespace distill::ui {

// The corpus questions containing the filter, case-insensitively (every
// question while the filter is empty): the origin's nearest first, best
// first with their cosine, once a ranking is set; then the others in corpus
// order.
class QuestionFilterModel : public QAbstractListModel {
public:
    using QAbstractListModel::QAbstractListModel;

    void setOutcome(std::shared_ptr<const PipelineOutcome> outcome) {
        outcome_ = std::move(outcome);
        setRanking({});
    }

    // The origin's nearest rows, best first (ShotRanker); empty for none.
    // Takes effect at the next setFilter.
    void setRanking(std::vector<SearchHit> nearest) {
        nearest_ = std::move(nearest);
        rankOf_.clear();
        for (std::size_t i = 0; i < nearest_.size(); ++i) rankOf_.emplace(nearest_[i].corpus_id, i);
    }
    bool ranked() const { return !nearest_.empty(); }

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
        if (!nearest_.empty()) {
            // The ranked matches first, in rank order, then the rest in corpus
            // order: one pass (a 700k corpus is filtered on every keystroke).
            std::vector<std::size_t> ranked(nearest_.size(), corpus), rest;
            rest.reserve(matches_.size());
            for (std::size_t row : matches_) {
                const auto it = rankOf_.find(row);
                if (it == rankOf_.end()) rest.push_back(row);
                else ranked[it->second] = row;
            }
            matches_.clear();
            for (std::size_t row : ranked)
                if (row != corpus) matches_.push_back(row);
            matches_.insert(matches_.end(), rest.begin(), rest.end());
        }
        endResetModel();
    }

    std::size_t corpusRow(int row) const { return matches_[std::size_t(row)]; }
    // The cosine to the origin of the question at `row`, when it is ranked.
    std::optional<float> score(int row) const {
        const auto it = rankOf_.find(corpusRow(row));
        return it == rankOf_.end() ? std::nullopt : std::optional<float>(nearest_[it->second].score);
    }

    int rowCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : int(matches_.size()); }

    QVariant data(const QModelIndex& index, int role) const override {
        if (!index.isValid() || (role != Qt::DisplayRole && role != Qt::ToolTipRole &&
                                 role != ReplacementChooser::QuestionRole))
            return {};
        const QString question = QString::fromStdString(outcome_->question(corpusRow(index.row())));
        if (role == ReplacementChooser::QuestionRole) return question;
        if (role == Qt::ToolTipRole) return QStringLiteral("<p>%1</p>").arg(question.toHtmlEscaped());
        const auto cosine = score(index.row());
        return cosine ? QStringLiteral("%1   %2").arg(*cosine, 0, 'f', 3).arg(question) : question;
    }

private:
    std::shared_ptr<const PipelineOutcome> outcome_;
    std::vector<std::size_t> matches_;  // the corpus rows listed
    std::vector<SearchHit> nearest_;
    std::unordered_map<std::size_t, std::size_t> rankOf_;  // corpus row -> place in nearest_
};

ReplacementChooser::ReplacementChooser(QWidget* parent)
    : QDialog(parent),
      model_(new QuestionFilterModel(this)),
      title_(new QLabel),
      filter_(new QLineEdit),
      questions_(new QListView),
      status_(new QLabel),
      buttons_(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel)),
      ranker_(new ShotRanker(this)) {
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
    connect(ranker_, &ShotRanker::ranked, this, &ReplacementChooser::showRanking);
    connect(ranker_, &ShotRanker::failed, this, [this](const QString& message) {
        if (pendingRanking_) return startRanking();
        rankingNote_ = tr("Not ranked by similarity: %1").arg(message);
        updateChoice();
    });
    connect(ranker_, &ShotRanker::cancelled, this, &ReplacementChooser::startRanking);
    connect(buttons_, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons_, &QDialogButtonBox::rejected, this, &QDialog::reject);
    setOutcome(nullptr);
}

void ReplacementChooser::setOutcome(std::shared_ptr<const PipelineOutcome> outcome) {
    outcome_ = std::move(outcome);
    model_->setOutcome(outcome_);
    rankedOrigin_.reset();
    pendingRanking_ = false;
    rankingNote_.clear();
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
    rankFor(origin);
    // This origin's list: no order or selection left from the last opening.
    applyFilter(filter_->text());
}

void ReplacementChooser::rankFor(const std::string& origin) {
    model_->setRanking({});
    rankingNote_.clear();
    rankedOrigin_.reset();
    if (!outcome_ || outcome_->result.embeddings_file.empty()) return;
    // The origin's corpus row: its question is the corpus's dedup key.
    for (std::size_t row = 0; row < outcome_->records.size() && !rankedOrigin_; ++row)
        if (outcome_->question(row) == origin) rankedOrigin_ = row;
    if (!rankedOrigin_) return;
    rankingNote_ = tr("Ranking by similarity to the origin…");
    // A ranking for an earlier origin still running is let finish (its read
    // and search cannot stop midway); its result is ignored.
    pendingRanking_ = true;
    startRanking();
}

void ReplacementChooser::startRanking() {
    if (!pendingRanking_ || ranker_->isRunning() || !rankedOrigin_) return;
    pendingRanking_ = false;
    ranker_->rank(outcome_->result.embeddings_file, outcome_->records.size(), *rankedOrigin_, kRanked);
}

void ReplacementChooser::showRanking(qulonglong origin, std::shared_ptr<const std::vector<SearchHit>> nearest) {
    if (pendingRanking_) {  // asked for another origin meanwhile
        startRanking();
        return;
    }
    if (!rankedOrigin_ || origin != *rankedOrigin_) return;
    // A question the curator selected meanwhile stays selected.
    const auto before = selectedRow();
    const bool chosenByHand = before && before != autoSelected_;
    model_->setRanking(*nearest);
    rankingNote_ = tr("The %1 nearest questions come first, with their cosine to the origin.")
                       .arg(QLocale().toString(qulonglong(nearest->size())));
    applyFilter(filter_->text());
    if (chosenByHand)
        for (int row = 0; row < model_->rowCount(); ++row)
            if (model_->corpusRow(row) == *before) {
                questions_->setCurrentIndex(model_->index(row));
                questions_->scrollTo(model_->index(row));
                updateChoice();
                break;
            }
    emit rankingShown();
}

std::optional<std::size_t> ReplacementChooser::chosenRow() const {
    const auto row = selectedRow();
    return row && whyNotChoosable(*row).isEmpty() ? row : std::nullopt;
}

int ReplacementChooser::matchCount() const { return model_->rowCount(); }

void ReplacementChooser::applyFilter(const QString& text) {
    model_->setFilter(text);
    // The first match that may be chosen is selected, so that typing and
    // Enter chooses it: once ranked, the nearest question not yet a shot.
    int first = 0;
    while (first < model_->rowCount() && !whyNotChoosable(model_->corpusRow(first)).isEmpty()) ++first;
    if (first == model_->rowCount()) first = 0;
    autoSelected_.reset();
    if (model_->rowCount() > 0) {
        questions_->setCurrentIndex(model_->index(first));
        autoSelected_ = model_->corpusRow(first);
    }
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
    if (!rankingNote_.isEmpty()) status += ' ' + rankingNote_;
    if (const auto row = selectedRow()) {
        if (const QString why = whyNotChoosable(*row); !why.isEmpty()) status += ' ' + why;
    } else {
        status += ' ' + tr("Select the question that takes the shot's place.");
    }
    status_->setText(status);
    buttons_->button(QDialogButtonBox::Ok)->setEnabled(chosenRow().has_value());
}

}  // namespace distill::ui
