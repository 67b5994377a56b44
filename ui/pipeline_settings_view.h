#pragma once
// Edits the settings of a run (the project's "pipeline" and "fewshot"
// blocks): the embedder, how clustering works, the sample, the prompt and
// the tokenizer the export counts with.
#include <QWidget>

#include "distill/project.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;
class QStackedWidget;

namespace distill::ui {

class PathEditor;

class PipelineSettingsView : public QWidget {
    Q_OBJECT
public:
    explicit PipelineSettingsView(QWidget* parent = nullptr);

    // Shows the project's settings without emitting edited(); relative
    // paths are shown as written and resolved against its folder.
    void setProject(const Project& project);
    // `project` with the settings as shown; settings this view does not show
    // (embedding device, dtype, batch size) stay as they are.
    void applyTo(Project& project) const;
    // Community detection at `threshold` and `minSize`, as if the curator
    // had set them here (emits edited()): a threshold sweep's choice.
    void useCommunities(double threshold, std::size_t minSize);
    // `prompt` (a preset name or file) as the prompt setting, as if typed
    // here (emits edited() when it changed): a template saved elsewhere.
    void usePrompt(const QString& prompt);

signals:
    // Any change that saving would keep.
    void edited();

private:
    void showClusteringKnobs();

    QLineEdit* embedder_;
    QComboBox* clustering_;
    QStackedWidget* clusteringKnobs_;
    QDoubleSpinBox* threshold_;
    QSpinBox* minCommunitySize_;
    QSpinBox* kmeansK_;
    QSpinBox* sampleSize_;
    QLineEdit* seed_;
    QSpinBox* shots_;
    QComboBox* prompt_;
    PathEditor* tokenizer_;
    QSpinBox* maxSeqLen_;
    QDoubleSpinBox* validFraction_;
    QCheckBox* maskInputs_;
    QCheckBox* approximate_;
};

}  // namespace distill::ui
