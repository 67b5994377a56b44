#pragma once
// What the GUI remembers between sessions (QSettings) kept in a folder of
// the test process's own: the suite neither reads nor changes the user's
// settings, nor another suite's running beside it under ctest -j. Create
// one before the first window, in initTestCase.
#include <QCoreApplication>
#include <QSettings>
#include <QTemporaryDir>

namespace distill::ui {

class IsolatedSettings {
public:
    IsolatedSettings() {
        QCoreApplication::setOrganizationName(QStringLiteral("Distill tests"));
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir_.path());
    }
    bool isValid() const { return dir_.isValid(); }
    // Forgets everything remembered, as on a first start.
    void clear() { QSettings().clear(); }

private:
    QTemporaryDir dir_;
};

}  // namespace distill::ui
