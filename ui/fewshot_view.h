#pragma once
// The few-shot and prompt tab (SPEC §7): the sampled origins of the last
// run (filtered by any part of their question), the selected origin's
// shots with their scores, and the curator's
// edits of them (remove, replace with another corpus question, move up or
// down, pin or unpin a shot; drop the origin).
// Each edit shows at once and is handed out as a FewShotEdit for the
// project, whose next run replays it. Below, the prompt template editor and,
// beside it, the origin's prompt rendered live with the template as edited,
// its token count (with the run's tokenizer) or why the formatter drops it,
// and a histogram of the exported rows' token lengths with the max-length
// line; after an edit, those of every origin as edited now over it.
#include <QWidget>

#include <memory>
#include <set>
#include <utility>

#include "distill/fewshot.h"
#include "pipeline_worker.h"

class QCustomPlot;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QTimer;

namespace distill::ui {

class PromptLengthJob;
class PromptTemplateEditor;
struct PromptLengths;
class ReplacementChooser;

class FewShotView : public QWidget {
    Q_OBJECT
public:
    enum Column { ScoreColumn, QuestionColumn, ColumnCount };
    // A shot question's item: true when a Pin edit holds the shot (shown
    // with a pin).
    static constexpr int PinnedRole = Qt::UserRole + 1;

    explicit FewShotView(QWidget* parent = nullptr);

    // Shows the run's few-shot lines; null clears the tab.
    void setOutcome(std::shared_ptr<const PipelineOutcome> outcome);

    // The origin shown, an index into the lines still listed; -1 for none.
    int currentOrigin() const;
    void setCurrentOrigin(int index);
    // Shows the origin whose question is `question` (clearing a filter that
    // hides it); false when no listed line has it (a dropped origin).
    bool showOriginWithQuestion(const std::string& question);
    // Puts the keyboard in the sampled questions' filter (Ctrl+F on this tab).
    void focusFilter();

    // The editor of the template the preview renders with; the main window
    // tells it which template the project saved.
    PromptTemplateEditor* templateEditor() const { return templateEditor_; }

signals:
    // The curator changed the picks; the edit belongs in the project.
    void edited(const distill::FewShotEdit& edit);
    // The last edit was undone (Undo, Ctrl+Z): it leaves the project too.
    void editUndone();
    // The token lengths of the origins as edited now are drawn over the run's.
    void editedLengthsShown();

private:
    void showOrigin();
    // Hides the origins whose question lacks the filter's text; the current
    // origin moves to the first one shown when it is hidden.
    void filterOrigins();
    void showPrompt();
    void buildHistogram();
    // Formats every listed origin with the template as edited, in the
    // background, when an edit asked for it (measureAsked_).
    void measureEditedLengths();
    // The last measure as a line over the run's histogram, in its bins; the
    // right end of the bins drawn.
    double drawEditedLengths(const TokenLengthStats& run);
    void updateButtons();
    int currentShot() const;
    std::string originQuestion() const;
    std::string shotQuestion(int shot) const;
    void moveShot(int from, int to);
    void removeShot();
    void chooseReplacement();
    void replaceShot();
    // Pins the selected shot, or unpins it when it is pinned.
    void togglePin();
    void dropOrigin();
    void notePin(const FewShotEdit& edit);
    // Keeps what the edit about to be made changes (the current origin's
    // line, the pins), so Undo can put it back.
    void rememberForUndo(bool dropping);
    void undoLastEdit();
    void showUnappliedEdits();

    std::shared_ptr<const PipelineOutcome> outcome_;
    // The run's lines with this session's edits applied. Shared with the
    // outcome and a running length measure: an edit changes a copy
    // (editLine), never a line another holder may be reading.
    std::vector<std::shared_ptr<const Record>> lines_;
    Record& editLine(std::size_t line);
    std::set<std::pair<std::string, std::string>> pinned_;  // (origin, shot) questions
    // This session's edits since the run, last on top; a run (which replays
    // them from the project) starts afresh.
    struct UndoStep {
        std::size_t line = 0;  // into lines_
        std::shared_ptr<const Record> before;  // that line as it was
        bool dropped = false;  // the edit took the line out
        std::set<std::pair<std::string, std::string>> pinned;
        int shot = -1;         // the shot selected
    };
    std::vector<UndoStep> undo_;

    QLabel* editsWarning_;  // the project's edits the run could not apply
    QLineEdit* originFilter_;
    QLabel* originCount_;
    QListWidget* origins_;
    QTableWidget* shots_;
    QPushButton* removeButton_;
    QPushButton* replaceButton_;
    QPushButton* upButton_;
    QPushButton* downButton_;
    QPushButton* pinButton_;
    QPushButton* dropButton_;
    QPushButton* undoButton_;
    PromptTemplateEditor* templateEditor_;
    QPlainTextEdit* prompt_;
    QLabel* tokenCount_;
    QLabel* templateWarnings_;
    QCustomPlot* histogram_;
    QLabel* editedLengthsLabel_;
    PromptLengthJob* lengthJob_;
    QTimer* lengthTimer_;  // waits for the last keystroke of an edit
    bool measureAsked_ = false;  // an edit since the last measure started
    std::shared_ptr<const PipelineOutcome> measuredOutcome_;  // the run the running measure is of
    std::shared_ptr<const PromptLengths> editedLengths_;     // the last measure, drawn orange; null: none
    ReplacementChooser* chooser_;
    int replacing_ = -1;  // the shot the open chooser replaces
};

}  // namespace distill::ui
