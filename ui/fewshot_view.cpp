#include "fewshot_view.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QPlainTextEdit>
#include <QTextCharFormat>
#include <QTextCursor>
#include <QPushButton>
#include <QShortcut>
#include <QSignalBlocker>
#include <QSplitter>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <qcustomplot.h>

#include "prompt_length_job.h"
#include "prompt_template_editor.h"
#include "qt_strings.h"
#include "replacement_chooser.h"

namespace distill::ui {
namespace {

std::string questionOf(const Record& record) { return record.at("question").get<std::string>(); }

// A tooltip that wraps: the whole question (the lists cut it at their
// width, and near-duplicates differ in their last words), and for a shot
// its answer too.
QString fullTextTip(const Record& record, bool withAnswer) {
    QString tip = QStringLiteral("<p>%1</p>").arg(qs(questionOf(record)).toHtmlEscaped());
    const auto answer = record.find("answer");
    if (withAnswer && answer != record.end()) {
        QString text = answer->is_string() ? qs(answer->get<std::string>()) : qs(answer->dump());
        if (text.size() > 800) text = text.left(800) + QStringLiteral("…");
        tip += QStringLiteral("<p><b>%1</b> %2</p>").arg(FewShotView::tr("Answer:"), text.toHtmlEscaped());
    }
    return tip;
}

// A drawn pin (an emoji would need an emoji font, which many desktops lack).
QIcon pinIcon() {
    QPixmap pixmap(16, 16);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(QColor(60, 60, 60), 1.6));
    painter.drawLine(QPointF(8.5, 7.5), QPointF(3, 14));
    painter.setPen(Qt::NoPen);
    painter.setBrush(QColor(200, 40, 40));
    painter.drawEllipse(QPointF(10.5, 5.5), 4.2, 4.2);
    return QIcon(pixmap);
}

// Moves element `from` of a JSON array to position `to`.
void moveElement(Record& array, int from, int to) {
    Record value = array[std::size_t(from)];
    array.erase(std::size_t(from));
    array.insert(array.begin() + to, std::move(value));
}

}  // namespace

FewShotView::FewShotView(QWidget* parent)
    : QWidget(parent),
      editsWarning_(new QLabel),
      originFilter_(new QLineEdit),
      originCount_(new QLabel),
      origins_(new QListWidget),
      shots_(new QTableWidget),
      removeButton_(new QPushButton(tr("&Remove Shot"))),
      replaceButton_(new QPushButton(tr("Re&place Shot…"))),
      upButton_(new QPushButton(tr("Move &Up"))),
      downButton_(new QPushButton(tr("Move &Down"))),
      pinButton_(new QPushButton(tr("Pi&n Shot"))),
      dropButton_(new QPushButton(tr("Drop &Origin"))),
      undoButton_(new QPushButton(tr("Undo"))),
      templateEditor_(new PromptTemplateEditor),
      prompt_(new QPlainTextEdit),
      tokenCount_(new QLabel),
      templateWarnings_(new QLabel),
      histogram_(new QCustomPlot),
      editedLengthsLabel_(new QLabel),
      lengthJob_(new PromptLengthJob(this)),
      lengthTimer_(new QTimer(this)),
      chooser_(new ReplacementChooser(this)) {
    originFilter_->setObjectName("originFilter");
    originFilter_->setPlaceholderText(tr("Filter the sampled questions (any part, any case)"));
    originFilter_->setClearButtonEnabled(true);
    originCount_->setObjectName("originCount");
    origins_->setObjectName("origins");
    origins_->setUniformItemSizes(true);
    shots_->setObjectName("shots");
    shots_->setColumnCount(ColumnCount);
    shots_->setHorizontalHeaderLabels({tr("Score"), tr("Shot question")});
    shots_->verticalHeader()->hide();
    shots_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    shots_->setSelectionBehavior(QAbstractItemView::SelectRows);
    shots_->setSelectionMode(QAbstractItemView::SingleSelection);
    // Wrapped: the few shots are read whole, not cut at the column's width.
    shots_->setWordWrap(true);
    shots_->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);  // a shot taller than the table scrolls
    shots_->horizontalHeader()->setStretchLastSection(true);
    connect(shots_->horizontalHeader(), &QHeaderView::sectionResized, shots_, &QTableWidget::resizeRowsToContents);
    removeButton_->setObjectName("removeShot");
    replaceButton_->setObjectName("replaceShot");
    upButton_->setObjectName("moveShotUp");
    downButton_->setObjectName("moveShotDown");
    pinButton_->setObjectName("pinShot");
    dropButton_->setObjectName("dropOrigin");
    undoButton_->setObjectName("undoFewShotEdit");
    prompt_->setObjectName("renderedPrompt");
    prompt_->setReadOnly(true);
    prompt_->setToolTip(tr("<p><i>Italic</i>: the instruction. Plain: the input (the shots, then the question). "
                           "<span style=\"background:#d6f0d6\">Shaded</span>: the output, what training learns "
                           "to write.</p>"));
    prompt_->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    tokenCount_->setObjectName("tokenCount");
    tokenCount_->setWordWrap(true);
    tokenCount_->setTextFormat(Qt::PlainText);  // it quotes template text
    tokenCount_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    editsWarning_->setObjectName("unappliedEdits");
    editsWarning_->setWordWrap(true);
    editsWarning_->setStyleSheet(QStringLiteral("color: #b35c00"));
    templateWarnings_->setObjectName("templateWarnings");
    templateWarnings_->setWordWrap(true);
    templateWarnings_->setStyleSheet(QStringLiteral("color: #b35c00"));
    histogram_->setObjectName("tokenLengths");
    histogram_->setMinimumHeight(140);
    // The last run's export: a template edit changes the prompt above, not
    // these rows, until the next run.
    histogram_->xAxis->setLabel(tr("tokens per exported row (last run)"));
    histogram_->yAxis->setLabel(tr("rows"));
    editedLengthsLabel_->setObjectName("editedLengths");
    editedLengthsLabel_->setWordWrap(true);
    editedLengthsLabel_->hide();
    // After the last keystroke of an edit, every listed origin is formatted
    // again in the background: the orange line over the run's bars.
    lengthTimer_->setSingleShot(true);
    lengthTimer_->setInterval(400);
    connect(lengthTimer_, &QTimer::timeout, this, [this] {
        measureAsked_ = true;
        measureEditedLengths();
    });
    connect(templateEditor_, &PromptTemplateEditor::edited, lengthTimer_, qOverload<>(&QTimer::start));
    connect(this, &FewShotView::edited, this, [this](const FewShotEdit& edit) {
        // A pin changes where a shot stays on later runs, not this prompt.
        if (edit.kind != FewShotEditKind::Pin && edit.kind != FewShotEditKind::Unpin) lengthTimer_->start();
    });
    connect(this, &FewShotView::editUndone, lengthTimer_, qOverload<>(&QTimer::start));
    connect(lengthJob_, &PromptLengthJob::measured, this, [this](std::shared_ptr<const PromptLengths> lengths) {
        // Shown unless an edit or a run came meanwhile (then it is redone).
        if (!measureAsked_ && !lengthTimer_->isActive() && measuredOutcome_ == outcome_) {
            editedLengths_ = std::move(lengths);
            buildHistogram();
            emit editedLengthsShown();
        }
        measureEditedLengths();
    });
    connect(lengthJob_, &PromptLengthJob::failed, this, [this] {
        // The formatter refused the template; the preview says why.
        editedLengths_.reset();
        buildHistogram();
        measureEditedLengths();
    });
    connect(lengthJob_, &PromptLengthJob::cancelled, this, [this] { measureEditedLengths(); });

    auto* buttons = new QHBoxLayout;
    for (QPushButton* button : {removeButton_, replaceButton_, upButton_, downButton_, pinButton_})
        buttons->addWidget(button);
    buttons->addStretch(1);
    buttons->addWidget(dropButton_);
    buttons->addWidget(undoButton_);
    auto* shotsBox = new QWidget;
    auto* shotsLayout = new QVBoxLayout(shotsBox);
    shotsLayout->setContentsMargins(0, 0, 0, 0);
    shotsLayout->addWidget(shots_, 1);
    shotsLayout->addLayout(buttons);

    auto* originsBox = new QWidget;
    auto* originsLayout = new QVBoxLayout(originsBox);
    originsLayout->setContentsMargins(0, 0, 0, 0);
    originsLayout->addWidget(originFilter_);
    originsLayout->addWidget(origins_, 1);
    originsLayout->addWidget(originCount_);

    auto* top = new QSplitter(Qt::Horizontal);
    top->addWidget(originsBox);
    top->addWidget(shotsBox);
    top->setSizes({320, 640});

    auto* promptBox = new QWidget;
    auto* promptLayout = new QVBoxLayout(promptBox);
    promptLayout->setContentsMargins(0, 0, 0, 0);
    promptLayout->addWidget(tokenCount_);
    promptLayout->addWidget(templateWarnings_);
    promptLayout->addWidget(prompt_, 1);
    auto* preview = new QSplitter(Qt::Vertical);
    preview->addWidget(promptBox);
    auto* histogramBox = new QWidget;
    auto* histogramLayout = new QVBoxLayout(histogramBox);
    histogramLayout->setContentsMargins(0, 0, 0, 0);
    histogramLayout->addWidget(histogram_, 1);
    histogramLayout->addWidget(editedLengthsLabel_);
    preview->addWidget(histogramBox);
    preview->setSizes({300, 160});
    auto* bottom = new QSplitter(Qt::Horizontal);
    bottom->addWidget(templateEditor_);
    bottom->addWidget(preview);
    bottom->setSizes({440, 520});

    auto* splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(top);
    splitter->addWidget(bottom);
    splitter->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(editsWarning_);
    layout->addWidget(splitter, 1);

    connect(originFilter_, &QLineEdit::textChanged, this, &FewShotView::filterOrigins);
    connect(origins_, &QListWidget::currentRowChanged, this, &FewShotView::showOrigin);
    connect(shots_, &QTableWidget::itemSelectionChanged, this, &FewShotView::updateButtons);
    connect(removeButton_, &QPushButton::clicked, this, &FewShotView::removeShot);
    connect(replaceButton_, &QPushButton::clicked, this, &FewShotView::chooseReplacement);
    connect(chooser_, &ReplacementChooser::accepted, this, &FewShotView::replaceShot);
    connect(upButton_, &QPushButton::clicked, this, [this] { moveShot(currentShot(), currentShot() - 1); });
    connect(downButton_, &QPushButton::clicked, this, [this] { moveShot(currentShot(), currentShot() + 1); });
    connect(pinButton_, &QPushButton::clicked, this, &FewShotView::togglePin);
    connect(dropButton_, &QPushButton::clicked, this, &FewShotView::dropOrigin);
    // The table's keys for the frequent edits, as in a spreadsheet.
    const auto onShots = [this](QKeySequence keys, QPushButton* button) {
        new QShortcut(keys, shots_, [button] { if (button->isEnabled()) button->click(); }, Qt::WidgetShortcut);
        button->setToolTip(tr("%1 in the shot list").arg(keys.toString(QKeySequence::NativeText)));
    };
    onShots(QKeySequence::Delete, removeButton_);
    onShots(QKeySequence(Qt::CTRL | Qt::Key_Up), upButton_);
    onShots(QKeySequence(Qt::CTRL | Qt::Key_Down), downButton_);
    // Ctrl+Z anywhere on the tab; a text field with the focus (the template
    // editor) undoes its own typing first, as text fields take Undo.
    connect(undoButton_, &QPushButton::clicked, this, &FewShotView::undoLastEdit);
    undoButton_->setToolTip(tr("Undo the last few-shot edit since the run (%1)")
                                .arg(QKeySequence(QKeySequence::Undo).toString(QKeySequence::NativeText)));
    new QShortcut(QKeySequence::Undo, this, this, &FewShotView::undoLastEdit, Qt::WidgetWithChildrenShortcut);
    // An edit re-renders one origin and counts its tokens: 3 ms on the demo
    // with Llama-2's tokenizer (5 ms at worst, 2-core machine), well within
    // a frame, so the preview follows every keystroke without a debounce.
    connect(templateEditor_, &PromptTemplateEditor::edited, this, &FewShotView::showPrompt);
    setOutcome(nullptr);
}

void FewShotView::setOutcome(std::shared_ptr<const PipelineOutcome> outcome) {
    outcome_ = std::move(outcome);
    // A run that ends while the chooser is open takes away the shot it was
    // opened for.
    if (chooser_->isVisible()) chooser_->reject();
    chooser_->setOutcome(outcome_);
    // A new run's lengths are its own: the overlay of the last edit goes.
    editedLengths_.reset();
    measuredOutcome_.reset();
    lengthTimer_->stop();
    measureAsked_ = false;
    // A re-run keeps the curator's place: the same origin, when still sampled.
    const std::string shownBefore = currentOrigin() >= 0 ? originQuestion() : std::string();
    lines_ = outcome_ ? outcome_->fewshots : std::vector<std::shared_ptr<const Record>>{};
    undo_.clear();
    pinned_.clear();
    if (outcome_)
        for (const FewShotEdit& edit : outcome_->fewshotEdits) notePin(edit);
    {
        const QSignalBlocker block(origins_);
        origins_->clear();
        for (const auto& line : lines_) {
            auto* item = new QListWidgetItem(qs(questionOf(line->at("origin"))));
            item->setToolTip(fullTextTip(line->at("origin"), false));
            origins_->addItem(item);
        }
    }
    buildHistogram();
    showUnappliedEdits();
    setCurrentOrigin(lines_.empty() ? -1 : 0);
    filterOrigins();  // a new run's origins, through the filter as typed
    if (!shownBefore.empty()) showOriginWithQuestion(shownBefore);
    showOrigin();
}

void FewShotView::filterOrigins() {
    const QString text = originFilter_->text();
    int shown = 0, firstShown = -1;
    for (int row = 0; row < origins_->count(); ++row) {
        const bool match = origins_->item(row)->text().contains(text, Qt::CaseInsensitive);
        origins_->setRowHidden(row, !match);
        if (match && shown++ == 0) firstShown = row;
    }
    const int all = origins_->count();
    const QString total = all == 1 ? tr("1 sampled question") : tr("%1 sampled questions").arg(all);
    originCount_->setText(text.isEmpty() ? total : tr("%1 shown of %2").arg(shown).arg(total));
    const int current = currentOrigin();
    if (current < 0 || origins_->isRowHidden(current)) setCurrentOrigin(firstShown);
}

int FewShotView::currentOrigin() const { return origins_->currentRow(); }

void FewShotView::setCurrentOrigin(int index) { origins_->setCurrentRow(index); }

bool FewShotView::showOriginWithQuestion(const std::string& question) {
    for (std::size_t i = 0; i < lines_.size(); ++i) {
        if (questionOf(lines_[i]->at("origin")) != question) continue;
        if (origins_->isRowHidden(int(i))) originFilter_->clear();
        setCurrentOrigin(int(i));
        return true;
    }
    return false;
}

void FewShotView::focusFilter() {
    originFilter_->setFocus(Qt::ShortcutFocusReason);
    originFilter_->selectAll();
}

int FewShotView::currentShot() const {
    const auto rows = shots_->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.first().row();
}

std::string FewShotView::originQuestion() const {
    return questionOf(lines_[std::size_t(currentOrigin())]->at("origin"));
}

std::string FewShotView::shotQuestion(int shot) const {
    return questionOf(lines_[std::size_t(currentOrigin())]->at("shot").at(std::size_t(shot)));
}

void FewShotView::showOrigin() {
    const int origin = currentOrigin();
    const int keepShot = currentShot();
    shots_->setRowCount(0);
    if (origin >= 0) {
        const Record& line = *lines_[std::size_t(origin)];
        const Record& shots = line.at("shot");
        const Record scores = line.value("shot_scores", Record::array());
        shots_->setRowCount(int(shots.size()));
        for (std::size_t i = 0; i < shots.size(); ++i) {
            const std::string question = questionOf(shots[i]);
            const bool pinned = pinned_.count({questionOf(line.at("origin")), question}) > 0;
            // A shot replaced in this session has no score until the next
            // run's picker gives it one.
            auto* score = new QTableWidgetItem(i < scores.size() && scores[i].is_number()
                                                   ? QString::number(scores[i].get<double>(), 'f', 3)
                                                   : QStringLiteral("—"));
            score->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            shots_->setItem(int(i), ScoreColumn, score);
            auto* item = new QTableWidgetItem(qs(question));
            item->setToolTip(fullTextTip(shots[i], true));
            item->setData(PinnedRole, pinned);
            if (pinned) {
                item->setIcon(pinIcon());
                item->setToolTip(tr("<p><b>Pinned:</b> kept in this place by every run.</p>") + item->toolTip());
            }
            shots_->setItem(int(i), QuestionColumn, item);
        }
        shots_->resizeRowsToContents();
        if (keepShot >= 0 && keepShot < shots_->rowCount()) shots_->selectRow(keepShot);
    }
    updateButtons();
    showPrompt();
}

void FewShotView::showPrompt() {
    const QStringList warnings = templateEditor_->warnings();
    templateWarnings_->setText(warnings.join('\n'));
    templateWarnings_->setVisible(!warnings.isEmpty());
    prompt_->clear();
    const int origin = currentOrigin();
    if (origin < 0 || !outcome_) {
        tokenCount_->setText(tr("Run the pipeline to see the prompts."));
        return;
    }
    if (!templateEditor_->hasTemplate()) {
        tokenCount_->setText(tr("No prompt template to render with; choose one in the Run tab."));
        return;
    }
    try {
        const int maxSeqLen = outcome_->tokenizer ? int(outcome_->tokenLengths.max_seq_len) : 0;
        const PromptPreset preset = templateEditor_->preset();
        const PromptFormatter formatter(preset, outcome_->tokenizer.get(), maxSeqLen);
        const FormattedPrompt formatted = formatter.format(*lines_[std::size_t(origin)]);
        if (formatted.dropped != DropReason::None) {
            const QString count = formatted.token_count ? tr(" (%1 tokens, max %2)")
                                                              .arg(formatted.token_count)
                                                              .arg(maxSeqLen)
                                                        : QString();
            tokenCount_->setText(
                tr("The formatter drops this origin: %1%2").arg(qs(to_string(formatted.dropped)), count));
            return;
        }
        const Record& record = formatted.record;
        const std::string instruction = record.at("instruction").get<std::string>();
        // lit-gpt's three parts, each drawn its own way: what the model reads
        // (instruction, then input) and what it learns to write (output).
        QTextCharFormat instructionFormat, inputFormat, outputFormat;
        instructionFormat.setFontItalic(true);
        instructionFormat.setForeground(QColor(70, 70, 140));
        outputFormat.setBackground(QColor(214, 240, 214));
        QTextCursor cursor(prompt_->document());
        cursor.insertText(qs(instruction), instructionFormat);
        cursor.insertText(qs(record.at("input").get<std::string>()), inputFormat);
        cursor.insertText(qs(python_str(record.at("output"))), outputFormat);
        prompt_->moveCursor(QTextCursor::Start);
        QString counts = tr("%1 tokens (max %2), %3 shots used")
                             .arg(formatted.token_count)
                             .arg(maxSeqLen)
                             .arg(formatted.shots_used);
        // An instruction that only a trigger turns on, left out here: say
        // why, or an edit of it seems to change nothing.
        const PromptTemplate& shown = preset.prompt;
        if (instruction.empty() && !shown.instruction.empty() && !shown.instruction_trigger.empty())
            counts += tr("; no instruction: the last shot looked at lacks “%1”")
                          .arg(qs(shown.instruction_trigger)
                                   .replace('\n', QChar(0x21B5))
                                   .replace('\t', QChar(0x2192))
                                   .replace(' ', QChar(0x00B7)));  // drawn as the template editor draws them
        tokenCount_->setText(counts);
    } catch (const std::exception& e) {
        // A placeholder naming a field this record lacks, a record no source
        // rule knows: core's message says which and how to fix it.
        tokenCount_->setText(tr("Cannot render this origin with the template: %1").arg(qs(e.what())));
    }
}

void FewShotView::measureEditedLengths() {
    // One measure at a time: one asked for while another runs stops that
    // one, then starts, with the lines and the template as they are then.
    if (lengthJob_->isRunning()) {
        if (measureAsked_) lengthJob_->cancel();
        return;
    }
    // Not under a run (the tab is disabled then): its outcome replaces the lines.
    if (!measureAsked_ || !isEnabled()) return;
    measureAsked_ = false;
    if (!outcome_ || !outcome_->tokenizer || !templateEditor_->hasTemplate()) return;
    measuredOutcome_ = outcome_;
    lengthJob_->measure(lines_, templateEditor_->preset(), outcome_->tokenizer, int(outcome_->tokenLengths.max_seq_len));
}

void FewShotView::buildHistogram() {
    histogram_->clearPlottables();
    histogram_->clearItems();
    editedLengthsLabel_->setVisible(outcome_ && editedLengths_);
    if (outcome_) {
        const TokenLengthStats& stats = outcome_->tokenLengths;
        auto* bars = new QCPBars(histogram_->xAxis, histogram_->yAxis);
        bars->setPen(Qt::NoPen);
        bars->setBrush(QColor(31, 119, 180));
        bars->setWidth(double(stats.bin_width) * 0.9);
        QVector<double> keys, values;
        for (std::size_t i = 0; i < stats.bins.size(); ++i) {
            keys.push_back((double(i) + 0.5) * double(stats.bin_width));
            values.push_back(double(stats.bins[i]));
        }
        bars->setData(keys, values, /*alreadySorted=*/true);
        auto* limit = new QCPItemStraightLine(histogram_);
        limit->setPen(QPen(QColor(214, 39, 40), 1.5, Qt::DashLine));
        limit->point1->setCoords(double(stats.max_seq_len), 0);
        limit->point2->setCoords(double(stats.max_seq_len), 1);
        double right = double(stats.bins.size() * stats.bin_width);
        if (editedLengths_) right = std::max(right, drawEditedLengths(stats));
        histogram_->rescaleAxes();
        histogram_->xAxis->setRange(0, right);
        histogram_->yAxis->setRangeLower(0);
    }
    histogram_->replot();
}

double FewShotView::drawEditedLengths(const TokenLengthStats& run) {
    // In the run's bins, so the line and the bars compare bin by bin.
    const std::size_t width = std::max<std::size_t>(run.bin_width, 1);
    std::vector<std::size_t> bins(run.bins.size(), 0);
    for (std::size_t length : editedLengths_->lengths) {
        if (length / width >= bins.size()) bins.resize(length / width + 1, 0);
        ++bins[length / width];
    }
    QVector<double> keys, values;
    for (std::size_t i = 0; i < bins.size(); ++i) {
        keys.push_back((double(i) + 0.5) * double(width));
        values.push_back(double(bins[i]));
    }
    auto* line = histogram_->addGraph();
    line->setName(QStringLiteral("As edited"));
    line->setLineStyle(QCPGraph::lsStepCenter);
    line->setPen(QPen(QColor(255, 127, 14), 2));
    line->setData(keys, values, /*alreadySorted=*/true);
    QString text = tr("Orange: the %1 prompts as edited now (%2 dropped, %3 of them as longer than %4 tokens); "
                      "bars: the last run's export.")
                       .arg(editedLengths_->lengths.size())
                       .arg(editedLengths_->dropped)
                       .arg(editedLengths_->over_max)
                       .arg(run.max_seq_len);
    if (editedLengths_->failed > 0)
        text += ' ' + tr("%1 cannot be rendered with the template.").arg(editedLengths_->failed);
    editedLengthsLabel_->setText(text);
    return double(bins.size() * width);
}

void FewShotView::updateButtons() {
    const int shot = currentShot();
    removeButton_->setEnabled(shot >= 0);
    replaceButton_->setEnabled(shot >= 0);
    const bool pinned = shot >= 0 && shots_->item(shot, QuestionColumn)->data(PinnedRole).toBool();
    pinButton_->setEnabled(shot >= 0);
    pinButton_->setText(pinned ? tr("Unpi&n Shot") : tr("Pi&n Shot"));
    upButton_->setEnabled(shot > 0);
    downButton_->setEnabled(shot >= 0 && shot + 1 < shots_->rowCount());
    dropButton_->setEnabled(currentOrigin() >= 0);
    undoButton_->setEnabled(!undo_.empty());
}

void FewShotView::moveShot(int from, int to) {
    if (from < 0 || to < 0 || to >= shots_->rowCount()) return;
    FewShotEdit edit{FewShotEditKind::Move, originQuestion(), shotQuestion(from), {}, std::size_t(to)};
    rememberForUndo(false);
    Record& line = editLine(std::size_t(currentOrigin()));
    moveElement(line["shot"], from, to);
    if (line.contains("shot_scores")) moveElement(line["shot_scores"], from, to);
    shots_->selectRow(to);
    showOrigin();
    emit edited(edit);
}

void FewShotView::removeShot() {
    const int shot = currentShot();
    if (shot < 0) return;
    FewShotEdit edit{FewShotEditKind::Remove, originQuestion(), shotQuestion(shot), {}, 0};
    rememberForUndo(false);
    Record& line = editLine(std::size_t(currentOrigin()));
    line["shot"].erase(std::size_t(shot));
    if (line.contains("shot_scores")) line["shot_scores"].erase(std::size_t(shot));
    notePin(edit);
    showOrigin();
    emit edited(edit);
}

// The pins as apply_fewshot_edits leaves them: a Pin holds its shot; an
// Unpin lets it go, and so does a Remove or Replace of that shot (the pin
// was on the question that is gone).
void FewShotView::notePin(const FewShotEdit& edit) {
    if (edit.kind == FewShotEditKind::Pin)
        pinned_.insert({edit.origin, edit.shot});
    else if (edit.kind == FewShotEditKind::Remove || edit.kind == FewShotEditKind::Replace ||
             edit.kind == FewShotEditKind::Unpin)
        pinned_.erase({edit.origin, edit.shot});
}

void FewShotView::chooseReplacement() {
    const int shot = currentShot();
    if (shot < 0) return;
    std::set<std::string> shots;
    for (const Record& record : lines_[std::size_t(currentOrigin())]->at("shot")) shots.insert(questionOf(record));
    replacing_ = shot;
    chooser_->chooseFor(originQuestion(), shots, shotQuestion(shot), shot);
    chooser_->open();
}

void FewShotView::replaceShot() {
    const auto row = chooser_->chosenRow();
    const int shot = std::exchange(replacing_, -1);
    if (!row || shot < 0 || currentOrigin() < 0) return;
    FewShotEdit edit{FewShotEditKind::Replace, originQuestion(), shotQuestion(shot), outcome_->question(*row), 0};
    rememberForUndo(false);
    Record& line = editLine(std::size_t(currentOrigin()));
    line["shot"][std::size_t(shot)] = outcome_->records[*row];
    if (line.contains("shot_scores")) line["shot_scores"][std::size_t(shot)] = nullptr;
    notePin(edit);
    showOrigin();
    emit edited(edit);
}

void FewShotView::togglePin() {
    const int shot = currentShot();
    if (shot < 0) return;
    // An Unpin leaves the shot where it is until the next run, whose search
    // then decides again.
    const bool pinned = pinned_.count({originQuestion(), shotQuestion(shot)}) > 0;
    FewShotEdit edit{pinned ? FewShotEditKind::Unpin : FewShotEditKind::Pin, originQuestion(), shotQuestion(shot),
                     {}, pinned ? 0 : std::size_t(shot)};
    rememberForUndo(false);
    notePin(edit);
    showOrigin();
    emit edited(edit);
}

void FewShotView::dropOrigin() {
    const int origin = currentOrigin();
    if (origin < 0) return;
    FewShotEdit edit{FewShotEditKind::Drop, originQuestion(), {}, {}, 0};
    rememberForUndo(true);
    // The next origin the filter shows becomes current, else the one before.
    int next = -1;
    for (int row = origin + 1; row < origins_->count() && next < 0; ++row)
        if (!origins_->isRowHidden(row)) next = row - 1;  // one up once `origin` is gone
    for (int row = origin - 1; row >= 0 && next < 0; --row)
        if (!origins_->isRowHidden(row)) next = row;
    lines_.erase(lines_.begin() + origin);
    {
        const QSignalBlocker block(origins_);
        delete origins_->takeItem(origin);
        origins_->setCurrentRow(next);
    }
    filterOrigins();  // the count
    showOrigin();
    emit edited(edit);
}

Record& FewShotView::editLine(std::size_t line) {
    auto copy = std::make_shared<Record>(*lines_[line]);
    Record& editable = *copy;
    lines_[line] = std::move(copy);
    return editable;
}

void FewShotView::rememberForUndo(bool dropping) {
    const auto line = std::size_t(currentOrigin());
    undo_.push_back({line, lines_[line], dropping, pinned_, currentShot()});
}

void FewShotView::undoLastEdit() {
    if (undo_.empty()) return;
    UndoStep step = std::move(undo_.back());
    undo_.pop_back();
    const int line = int(step.line);
    if (step.dropped) {
        const QSignalBlocker block(origins_);
        origins_->insertItem(line, qs(questionOf(step.before->at("origin"))));
        lines_.insert(lines_.begin() + line, std::move(step.before));
    } else {
        lines_[step.line] = std::move(step.before);
    }
    pinned_ = std::move(step.pinned);
    if (origins_->isRowHidden(line)) originFilter_->clear();
    {
        const QSignalBlocker block(origins_);
        setCurrentOrigin(line);
    }
    filterOrigins();  // the count
    showOrigin();
    if (step.shot >= 0 && step.shot < shots_->rowCount()) shots_->selectRow(step.shot);
    emit editUndone();
}

// Edits kept in the project that the run could not replay (a new seed or
// threshold sampled other origins) are said above the lists, not lost in
// the stage row: the first in the line, all of them in its tooltip.
void FewShotView::showUnappliedEdits() {
    const std::vector<std::string> none;
    const std::vector<std::string>& unapplied = outcome_ ? outcome_->unappliedEdits : none;
    editsWarning_->setVisible(!unapplied.empty());
    if (unapplied.empty()) return;
    QStringList all;
    for (const std::string& line : unapplied) all << qs(line);
    editsWarning_->setText(tr("%n of the project's few-shot edits no longer apply; the first: %1", nullptr,
                              int(unapplied.size()))
                               .arg(all.first()));
    editsWarning_->setToolTip(all.join('\n'));
}

}  // namespace distill::ui
