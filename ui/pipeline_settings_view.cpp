#include "pipeline_settings_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStackedWidget>
#include <QValidator>

#include <algorithm>
#include <limits>

#include "distill/format.h"
#include "qt_strings.h"
#include "source_delegates.h"

namespace distill::ui {
namespace {

QSpinBox* spinBox(const char* objectName, int minimum, int maximum) {
    auto* box = new QSpinBox;
    box->setObjectName(objectName);
    box->setRange(minimum, maximum);
    box->setGroupSeparatorShown(true);
    return box;
}

// Seeds are 64-bit in the project (a run is only reproducible with the seed
// as saved), which no spin box holds: a line edit takes 0 .. 2^64 - 1.
class SeedValidator : public QValidator {
public:
    using QValidator::QValidator;
    State validate(QString& input, int&) const override {
        if (input.isEmpty()) return Intermediate;
        bool fits = false;
        input.toULongLong(&fits);
        const bool digits = std::all_of(input.cbegin(), input.cend(), [](QChar c) { return c.isDigit(); });
        return digits && fits ? Acceptable : Invalid;
    }
    // Left empty, the field means 0 rather than an unsaveable state.
    void fixup(QString& input) const override {
        if (input.isEmpty()) input = QStringLiteral("0");
    }
};

// A spin box keeps only its decimals: its value goes back into the setting
// only when the curator changed it, so opening and saving a project leaves a
// threshold of 0.7525 as it was.
void takeIfEdited(const QDoubleSpinBox* box, double& setting) {
    if (box->value() != box->valueFromText(box->textFromValue(setting))) setting = box->value();
}

}  // namespace

PipelineSettingsView::PipelineSettingsView(QWidget* parent)
    : QWidget(parent),
      embedder_(new QLineEdit),
      clustering_(new QComboBox),
      clusteringKnobs_(new QStackedWidget),
      threshold_(new QDoubleSpinBox),
      minCommunitySize_(spinBox("minCommunitySize", 1, std::numeric_limits<int>::max())),
      kmeansK_(spinBox("kmeansK", 1, std::numeric_limits<int>::max())),
      sampleSize_(spinBox("sampleSize", 1, std::numeric_limits<int>::max())),
      seed_(new QLineEdit),
      shots_(spinBox("shots", 1, 64)),
      prompt_(new QComboBox),
      tokenizer_(new PathEditor),
      maxSeqLen_(spinBox("maxSeqLen", 16, 1 << 20)),
      validFraction_(new QDoubleSpinBox),
      maskInputs_(new QCheckBox(tr("Mask the prompt in the labels"))),
      approximate_(new QCheckBox(tr("Approximate neighbours (faiss IVF)"))) {
    seed_->setObjectName("seed");
    seed_->setValidator(new SeedValidator(seed_));
    embedder_->setObjectName("embedder");
    embedder_->setToolTip(tr("\"hashing\", a sentence-transformers model folder or npy:FILE of precomputed rows"));

    clustering_->setObjectName("clustering");
    clusteringKnobs_->setObjectName("clusteringKnobs");
    clustering_->addItem(tr("Communities (cosine threshold)"), QStringLiteral("community"));
    clustering_->addItem(tr("k-means"), QStringLiteral("kmeans"));

    threshold_->setObjectName("threshold");
    threshold_->setRange(-1.0, 1.0);  // what core accepts
    threshold_->setDecimals(3);
    threshold_->setSingleStep(0.01);
    auto* community = new QWidget;
    auto* communityForm = new QFormLayout(community);
    communityForm->setContentsMargins(0, 0, 0, 0);
    communityForm->addRow(tr("&Threshold:"), threshold_);
    communityForm->addRow(tr("Min &size:"), minCommunitySize_);
    approximate_->setObjectName("approximate");
    approximate_->setToolTip(tr("Searches each question's nearest inverted lists instead of every question: many times "
                                "faster on large corpora, and the cluster stage reports the neighbour recall it reached"));
    communityForm->addRow(QString(), approximate_);
    auto* kmeans = new QWidget;
    auto* kmeansForm = new QFormLayout(kmeans);
    kmeansForm->setContentsMargins(0, 0, 0, 0);
    kmeansForm->addRow(tr("&k:"), kmeansK_);
    clusteringKnobs_->addWidget(community);
    clusteringKnobs_->addWidget(kmeans);

    // Empty: the preset named like the domain, as core reads an empty setting.
    prompt_->setObjectName("prompt");
    prompt_->setEditable(true);
    prompt_->setInsertPolicy(QComboBox::NoInsert);
    prompt_->addItem(QString());
    for (const PromptPreset& preset : prompt_presets()) prompt_->addItem(qs(preset.name));
    prompt_->lineEdit()->setPlaceholderText(tr("the domain's preset, or a preset JSON file"));

    tokenizer_->setObjectName("tokenizer");
    tokenizer_->setToolTip(tr("The LLM's sentencepiece tokenizer.model; ~/ is your home folder"));

    validFraction_->setObjectName("validFraction");
    validFraction_->setRange(0.0, 0.5);
    validFraction_->setDecimals(3);
    validFraction_->setSingleStep(0.01);
    maskInputs_->setObjectName("maskInputs");

    auto* form = new QFormLayout(this);
    form->addRow(tr("&Embedder:"), embedder_);
    form->addRow(tr("C&lustering:"), clustering_);
    form->addRow(QString(), clusteringKnobs_);
    form->addRow(tr("Sample si&ze N:"), sampleSize_);
    form->addRow(tr("See&d:"), seed_);
    form->addRow(tr("Shots per &question:"), shots_);
    form->addRow(tr("&Prompt:"), prompt_);
    form->addRow(tr("T&okenizer:"), tokenizer_);
    form->addRow(tr("&Max sequence length:"), maxSeqLen_);
    form->addRow(tr("&Validation share:"), validFraction_);
    form->addRow(QString(), maskInputs_);

    connect(clustering_, &QComboBox::currentIndexChanged, this, &PipelineSettingsView::showClusteringKnobs);
    connect(embedder_, &QLineEdit::textEdited, this, &PipelineSettingsView::edited);
    connect(seed_, &QLineEdit::textEdited, this, &PipelineSettingsView::edited);
    connect(clustering_, &QComboBox::currentIndexChanged, this, &PipelineSettingsView::edited);
    connect(prompt_, &QComboBox::currentTextChanged, this, &PipelineSettingsView::edited);
    connect(tokenizer_, &PathEditor::pathEdited, this, &PipelineSettingsView::edited);
    for (QCheckBox* box : {maskInputs_, approximate_}) connect(box, &QCheckBox::toggled, this, &PipelineSettingsView::edited);
    for (QSpinBox* box : {minCommunitySize_, kmeansK_, sampleSize_, shots_, maxSeqLen_})
        connect(box, &QSpinBox::valueChanged, this, &PipelineSettingsView::edited);
    for (QDoubleSpinBox* box : {threshold_, validFraction_})
        connect(box, &QDoubleSpinBox::valueChanged, this, &PipelineSettingsView::edited);
}

void PipelineSettingsView::showClusteringKnobs() {
    clusteringKnobs_->setCurrentIndex(clustering_->currentData().toString() == QLatin1String("kmeans") ? 1 : 0);
}

void PipelineSettingsView::setProject(const Project& project) {
    const QSignalBlocker blockOwnSignals(this);
    const PipelineSettings& s = project.pipeline;
    const auto clamp = [](std::size_t n) { return int(std::min<std::size_t>(n, std::numeric_limits<int>::max())); };
    embedder_->setText(qs(s.embedder));
    clustering_->setCurrentIndex(std::max(0, clustering_->findData(qs(s.clustering))));
    showClusteringKnobs();
    threshold_->setValue(s.threshold);
    minCommunitySize_->setValue(clamp(s.min_community_size));
    kmeansK_->setValue(clamp(s.kmeans_k));
    sampleSize_->setValue(clamp(s.sample_size));
    seed_->setText(QString::number(s.seed));
    shots_->setValue(clamp(project.fewshot.k));
    prompt_->setCurrentText(qs(s.prompt));
    tokenizer_->setPath(qs(s.tokenizer));
    tokenizer_->setResolvedPath(qs(project.resolve(s.tokenizer)));
    maxSeqLen_->setValue(s.max_seq_len);
    validFraction_->setValue(s.valid_fraction);
    maskInputs_->setChecked(s.mask_inputs);
    approximate_->setChecked(s.approximate);
}

void PipelineSettingsView::useCommunities(double threshold, std::size_t minSize) {
    clustering_->setCurrentIndex(clustering_->findData(QStringLiteral("community")));
    threshold_->setValue(threshold);
    minCommunitySize_->setValue(int(std::min<std::size_t>(minSize, std::numeric_limits<int>::max())));
}

void PipelineSettingsView::usePrompt(const QString& prompt) { prompt_->setCurrentText(prompt); }

void PipelineSettingsView::applyTo(Project& project) const {
    PipelineSettings& s = project.pipeline;
    s.embedder = embedder_->text().trimmed().toStdString();
    s.clustering = clustering_->currentData().toString().toStdString();
    takeIfEdited(threshold_, s.threshold);
    s.min_community_size = std::size_t(minCommunitySize_->value());
    s.kmeans_k = std::size_t(kmeansK_->value());
    s.sample_size = std::size_t(sampleSize_->value());
    s.seed = seed_->text().toULongLong();  // the validator lets only a uint64 (or nothing: 0) through
    project.fewshot.k = std::size_t(shots_->value());
    s.prompt = prompt_->currentText().trimmed().toStdString();
    s.tokenizer = tokenizer_->path().trimmed().toStdString();
    s.max_seq_len = maxSeqLen_->value();
    takeIfEdited(validFraction_, s.valid_fraction);
    s.mask_inputs = maskInputs_->isChecked();
    s.approximate = approximate_->isChecked();
}

}  // namespace distill::ui
