#pragma once
// Edits a project's corpus settings: its name, domain, what to do with a bad
// input line, and the sources table (name, file, format, question and answer
// columns, origin).
#include <QWidget>

#include "distill/project.h"

class QComboBox;
class QLineEdit;
class QPushButton;
class QTableView;

namespace distill::ui {

class SourceTableModel;

class ProjectView : public QWidget {
    Q_OBJECT
public:
    explicit ProjectView(QWidget* parent = nullptr);

    // Shows `project` without emitting edited().
    void setProject(const Project& project);
    // The project as shown, edits included. Settings this view does not show
    // are carried over from setProject() untouched.
    Project project() const;

    // Changes the policy as if the user had picked it (emits edited()).
    void setBadLinePolicy(BadInputPolicy policy);
    // Adds a curator's few-shot edit to the project (emits edited()); the
    // next run replays it.
    void appendFewShotEdit(const FewShotEdit& edit);
    void removeLastFewShotEdit();  // the curator undid it

signals:
    // Any change that saving would keep.
    void edited();
    // A change that makes an already loaded corpus out of date.
    void sourcesEdited();

private:
    QWidget* createSourcesTable();
    void addSource();
    void removeCurrentSource();
    void openPathEditors(int firstRow, int lastRow);

    Project project_;
    QLineEdit* name_;
    QComboBox* domain_;
    QComboBox* badLinePolicy_;
    SourceTableModel* sources_;
    QTableView* sourcesTable_;
    QPushButton* removeSourceButton_;
};

}  // namespace distill::ui
