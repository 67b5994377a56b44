#pragma once
// The few-shot tab's "Replace Shot…" dialog: the curator narrows the pooled
// corpus's questions down with a case-insensitive substring filter and picks
// the one that takes the selected shot's place. The origin's nearest
// questions by the run's embeddings come first (ranked in the background,
// ShotRanker), the nearest one that is not yet a shot selected. The origin itself and its
// current shots are listed but cannot be chosen (OK says why not). It is
// opened with open(), not exec(), so nothing waits on it, and it lives as
// long as the tab: the filter's search index (one pass over the questions)
// is made when a filter is first typed after a run and serves every open
// until the next run.
#include <QDialog>

#include <cstddef>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "distill/cluster.h"
#include "pipeline_worker.h"

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QListView;

namespace distill::ui {

class QuestionFilterModel;
class ShotRanker;

class ReplacementChooser : public QDialog {
    Q_OBJECT
public:
    explicit ReplacementChooser(QWidget* parent = nullptr);

    // The run whose corpus is offered; null offers nothing.
    void setOutcome(std::shared_ptr<const PipelineOutcome> outcome);

    // Sets the dialog up for replacing the shot whose question is `shot`, at
    // `position` (0 = first), of `origin`, whose shots' questions are
    // `shots`; then open() it.
    void chooseFor(const std::string& origin, const std::set<std::string>& shots, const std::string& shot,
                   int position);

    // The corpus row of the question chosen; none while the selection is
    // empty or cannot be chosen.
    std::optional<std::size_t> chosenRow() const;

    // How many corpus questions the filter lets through.
    int matchCount() const;

    // How many nearest questions are ranked first.
    static constexpr std::size_t kRanked = 200;
    // The listed questions' text, without the cosine shown before ranked ones.
    static constexpr int QuestionRole = Qt::UserRole;

signals:
    // The ranking for the origin asked for is listed.
    void rankingShown();

private:
    void rankFor(const std::string& origin);
    void startRanking();
    void showRanking(qulonglong origin, std::shared_ptr<const std::vector<SearchHit>> nearest);
    void applyFilter(const QString& text);
    void updateChoice();
    // Why the selected question cannot replace the shot; empty when it can.
    QString whyNotChoosable(std::size_t row) const;
    std::optional<std::size_t> selectedRow() const;

    std::shared_ptr<const PipelineOutcome> outcome_;
    std::string origin_;
    std::set<std::string> shots_;

    QuestionFilterModel* model_;
    QLabel* title_;
    QLineEdit* filter_;
    QListView* questions_;
    QLabel* status_;
    QDialogButtonBox* buttons_;
    ShotRanker* ranker_;
    std::optional<std::size_t> rankedOrigin_;  // the corpus row whose neighbours are asked for
    bool pendingRanking_ = false;              // asked for while another ranking ran
    QString rankingNote_;                      // for the status line
    std::optional<std::size_t> autoSelected_;  // the row the dialog selected itself, not the curator
};

}  // namespace distill::ui
