#pragma once
// Few-shot stage (SPEC §4): every sampled question gets the k questions of
// the whole pooled corpus most similar to it (by cosine, its own row left
// out) as its examples, and curators' hand edits of those picks are replayed
// on every re-run.
//
// Data flow: FewShotPicker::pick() -> apply_fewshot_edits() ->
// write_fewshot_jsonl(), whose lines `distill format` reads.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "distill/cluster.h"
#include "distill/corpus.h"
#include "distill/matrix.h"
#include "distill/progress.h"

namespace distill {

// What a project saves about the stage (its "fewshot" block).
struct FewShotSettings {
    std::size_t k = 5;  // shots per origin, 1 or more
};

struct Shot {
    RowId row = 0;
    float score = 0;  // cosine to the origin
};

// One sampled question and its examples, best first.
struct FewShot {
    RowId origin = 0;
    std::vector<Shot> shots;
};

// The pooled corpus as this stage sees it: records and their embeddings,
// row for row. Both must outlive the picker.
class FewShotPicker {
public:
    // Throws distill::Error when the row counts differ, a record has no
    // string "question", or two records share a question: the corpus stage
    // deduplicates by exact question, and edits name rows by their question.
    FewShotPicker(const std::vector<Record>& records, const Matrix& embeddings, FewShotSettings settings = {},
                  SimilarityCompute compute = {});

    // For each origin row (in the given order), its k most similar other
    // rows, best first (equal scores by row id); fewer only when the corpus
    // has fewer other rows. Throws distill::Error for a row out of range or
    // given twice; Cancelled when progress asks.
    std::vector<FewShot> pick(const std::vector<RowId>& origins, ProgressSink* progress = nullptr) const;

    // Cosine of two rows, computed in double precision.
    float similarity(RowId a, RowId b) const;
    // The row whose question is exactly `question`, if any.
    std::optional<RowId> find_question(std::string_view question) const;
    const std::string& question(RowId row) const;

    const std::vector<Record>& records() const { return records_; }
    const FewShotSettings& settings() const { return settings_; }

private:
    const std::vector<Record>& records_;
    const Matrix& embeddings_;
    FewShotSettings settings_;
    SimilarityCompute compute_;
    std::unordered_map<std::string_view, RowId> row_of_question_;  // views into records_
};

// ---------------------------------------------------------------------------
// Curators' edits
//
// An edit names its origin and shots by question text, never by row id:
// row ids change whenever a source changes, the question of a record does
// not (it is the corpus's dedup key). Edits are replayed in list order on a
// fresh pick; one that no longer applies is reported, never silently lost.

enum class FewShotEditKind {
    Replace,  // the shot `shot` becomes the corpus record whose question is `with`, in place
              // (when the picker already found `with` elsewhere, it moves here)
    Remove,   // the shot `shot` is left out (the origin then has one shot fewer)
    Move,     // the shot `shot` moves to position `to` (0 = first; clamped to the last)
    Pin,      // the record whose question is `shot` is a shot at position `to` whatever the
              // picker finds: moved there when picked, else put there in place of the last
              // unpinned shot (so the origin keeps its number of shots)
    Drop,     // the origin is left out of the few-shot file
    Unpin,    // the earlier Pins of `shot` for this origin are undone: the replay skips them,
              // as if they had never been made (edits between them still apply)
};

struct FewShotEdit {
    FewShotEditKind kind = FewShotEditKind::Drop;
    std::string origin;  // the origin's question
    std::string shot;    // Replace, Remove, Move, Pin, Unpin: the shot's question
    std::string with;    // Replace: the new shot's question
    std::size_t to = 0;  // Move, Pin
};

struct UnappliedEdit {
    std::size_t index = 0;  // into the edit list
    std::string reason;     // e.g. "the origin is no longer sampled"
};

struct EditedFewShots {
    std::vector<FewShot> fewshots;        // dropped origins are absent
    std::size_t applied = 0;
    std::vector<UnappliedEdit> unapplied;
};

// Replays `edits` on `picks` (as pick() made them) in order. Replaced and
// pinned shots are scored with picker.similarity().
EditedFewShots apply_fewshot_edits(std::vector<FewShot> picks, const std::vector<FewShotEdit>& edits,
                                   const FewShotPicker& picker);

// One line for logs and the GUI: `edit 2 (remove, origin "How many...") not
// applied: the origin is no longer sampled`.
std::string describe(const UnappliedEdit& unapplied, const std::vector<FewShotEdit>& edits);

std::string to_string(FewShotEditKind kind);  // "replace", "remove", "move", "pin", "drop", "unpin"

// JSON form, as a project saves it under "fewshot_edits":
//   {"edit": "replace", "origin": Q, "shot": Q, "with": Q}
//   {"edit": "remove",  "origin": Q, "shot": Q}
//   {"edit": "move",    "origin": Q, "shot": Q, "to": N}
//   {"edit": "pin",     "origin": Q, "shot": Q, "to": N}
//   {"edit": "drop",    "origin": Q}
//   {"edit": "unpin",   "origin": Q, "shot": Q}
nlohmann::ordered_json to_json(const FewShotEdit& edit);
// Throws distill::Error starting with `where` (a path and key) for an
// unknown kind, a missing, mistyped or unknown key.
FewShotEdit fewshot_edit_from_json(const nlohmann::ordered_json& json, const std::string& where);
nlohmann::ordered_json to_json(const std::vector<FewShotEdit>& edits);
std::vector<FewShotEdit> fewshot_edits_from_json(const nlohmann::ordered_json& json, const std::string& where);
// A file holding a JSON array of edits (the value of a project's "fewshot_edits").
std::vector<FewShotEdit> load_fewshot_edits(const std::string& path);

// ---------------------------------------------------------------------------
// The few-shot JSONL file

// One line of the reference's few-shot JSONL, {"origin": record, "shot":
// [record, ...]}, plus "shot_scores": [cosine, ...] alongside the shots.
// Readers of the reference format (`distill format` among them) ignore the
// extra key.
nlohmann::ordered_json fewshot_line(const FewShot& fewshot, const std::vector<Record>& records);

// Writes one fewshot_line() per few-shot, streamed and atomically: on any
// error or cancel no partial file is left behind.
void write_fewshot_jsonl(const std::string& path, const std::vector<FewShot>& fewshots,
                         const std::vector<Record>& records, ProgressSink* progress = nullptr);

}  // namespace distill
