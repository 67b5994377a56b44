// The stage's files: edits as a project saves them, and the few-shot JSONL
// that the formatting stage reads.
#include <algorithm>
#include <cmath>
#include <fstream>

#include "distill/atomic_file.h"
#include "distill/error.h"
#include "distill/fewshot.h"

namespace distill {
namespace {

using nlohmann::ordered_json;

constexpr const char* kFix = "fix the edit or re-save the project from Distill Studio";

struct KindName {
    FewShotEditKind kind;
    const char* name;
};
constexpr KindName kKinds[] = {{FewShotEditKind::Replace, "replace"},
                               {FewShotEditKind::Remove, "remove"},
                               {FewShotEditKind::Move, "move"},
                               {FewShotEditKind::Pin, "pin"},
                               {FewShotEditKind::Drop, "drop"},
                               {FewShotEditKind::Unpin, "unpin"}};

bool names_shot(FewShotEditKind k) { return k != FewShotEditKind::Drop; }
bool has_position(FewShotEditKind k) { return k == FewShotEditKind::Move || k == FewShotEditKind::Pin; }

[[noreturn]] void fail(const std::string& where, const std::string& problem) {
    throw Error(where + ": " + problem + "; " + kFix);
}

const std::string& string_key(const ordered_json& j, const char* key, const std::string& where) {
    const auto it = j.find(key);
    if (it == j.end()) fail(where, std::string("missing key '") + key + "'");
    if (!it->is_string()) fail(where, std::string("'") + key + "' must be a question (a string), not " + it->type_name());
    return it->get_ref<const std::string&>();
}

}  // namespace

std::string to_string(FewShotEditKind kind) {
    for (const auto& k : kKinds)
        if (k.kind == kind) return k.name;
    return "unknown";
}

ordered_json to_json(const FewShotEdit& edit) {
    ordered_json j{{"edit", to_string(edit.kind)}, {"origin", edit.origin}};
    if (names_shot(edit.kind)) j["shot"] = edit.shot;
    if (edit.kind == FewShotEditKind::Replace) j["with"] = edit.with;
    if (has_position(edit.kind)) j["to"] = edit.to;
    return j;
}

FewShotEdit fewshot_edit_from_json(const ordered_json& j, const std::string& where) {
    if (!j.is_object()) fail(where, std::string("an edit is a JSON object, not ") + j.type_name());
    const std::string& kind = string_key(j, "edit", where);
    FewShotEdit edit;
    const auto known = std::find_if(std::begin(kKinds), std::end(kKinds), [&](const KindName& k) { return kind == k.name; });
    if (known == std::end(kKinds))
        fail(where, "unknown edit '" + kind + "' (expected replace, remove, move, pin, unpin or drop)");
    edit.kind = known->kind;
    edit.origin = string_key(j, "origin", where);
    if (names_shot(edit.kind)) edit.shot = string_key(j, "shot", where);
    if (edit.kind == FewShotEditKind::Replace) edit.with = string_key(j, "with", where);
    if (has_position(edit.kind)) {
        const auto to = j.find("to");
        if (to == j.end()) fail(where, "missing key 'to' (the shot's new position, 0 = first)");
        if (!to->is_number_unsigned()) fail(where, "'to' must be a position (0 = first), not " + to->dump());
        edit.to = to->get<std::size_t>();
    }
    // A key this kind does not read is a typo or a mix-up of kinds; either
    // way the curator's intent is unclear, so it is not guessed at.
    const ordered_json canonical = to_json(edit);
    for (const auto& [key, value] : j.items()) {
        (void)value;
        if (!canonical.contains(key) && key.rfind('_', 0) != 0)  // "_comment" and the like are allowed
            fail(where, "unknown key '" + key + "' for a " + kind + " edit (a typo?)");
    }
    return edit;
}

ordered_json to_json(const std::vector<FewShotEdit>& edits) {
    ordered_json list = ordered_json::array();
    for (const auto& e : edits) list.push_back(to_json(e));
    return list;
}

std::vector<FewShotEdit> fewshot_edits_from_json(const ordered_json& j, const std::string& where) {
    if (!j.is_array()) fail(where, std::string("the few-shot edits are a JSON array, not ") + j.type_name());
    std::vector<FewShotEdit> edits;
    edits.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i)
        edits.push_back(fewshot_edit_from_json(j[i], where + "[" + std::to_string(i) + "]"));
    return edits;
}

std::vector<FewShotEdit> load_fewshot_edits(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open the few-shot edits file; check the path");
    ordered_json j;
    try {
        j = ordered_json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(path + ": not valid JSON (" + e.what() + "); fix the file");
    }
    return fewshot_edits_from_json(j, path);
}

ordered_json fewshot_line(const FewShot& fewshot, const std::vector<Record>& records) {
    ordered_json shots = ordered_json::array(), scores = ordered_json::array();
    for (const auto& s : fewshot.shots) {
        shots.push_back(records.at(s.row));
        // float32 cosines carry about 7 digits; six decimals print them
        // readably instead of as the double nearest the float.
        scores.push_back(std::round(double(s.score) * 1e6) / 1e6);
    }
    return {{"origin", records.at(fewshot.origin)}, {"shot", std::move(shots)}, {"shot_scores", std::move(scores)}};
}

void write_fewshot_jsonl(const std::string& path, const std::vector<FewShot>& fewshots,
                         const std::vector<Record>& records, ProgressSink* progress) {
    write_file_atomically(path, [&](std::ostream& out) {
        for (std::size_t i = 0; i < fewshots.size(); ++i) {
            throw_if_cancelled(progress);
            if (progress) progress->update("few-shot file", i, fewshots.size());
            out << fewshot_line(fewshots[i], records).dump() << '\n';
        }
        if (progress) progress->update("few-shot file", fewshots.size(), fewshots.size());
    });
}

}  // namespace distill
