#pragma once
// Core speaks UTF-8 std::string, Qt speaks QString: the one short name for
// the conversion every view makes.
#include <QString>

#include <string>

namespace distill::ui {

inline QString qs(const std::string& s) { return QString::fromStdString(s); }

}  // namespace distill::ui
