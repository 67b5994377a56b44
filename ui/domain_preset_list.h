#pragma once
// The built-in domain presets down the window's left side, with what the
// selected one pools, so a curator can see each domain's sources before
// starting from it.
#include <QWidget>

#include <string>

#include "distill/corpus.h"

class QLabel;
class QListWidget;

namespace distill::ui {

class DomainPresetList : public QWidget {
    Q_OBJECT
public:
    explicit DomainPresetList(QWidget* parent = nullptr);

    // Highlights the preset of that name (none when it is a user-named
    // domain) without emitting presetSelected().
    void showDomain(const std::string& domain);

signals:
    // The user selected a preset.
    void presetSelected(const distill::DomainPreset& preset);

private:
    void describe(int row);

    QListWidget* list_;
    QLabel* details_;
    bool showingDomain_ = false;
};

}  // namespace distill::ui
