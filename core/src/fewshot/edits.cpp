// Replaying curators' edits on a fresh pick. Each edit either applies or
// comes back with the reason it could not, so a re-run after the sources
// changed shows the curator exactly which of their decisions need a look.
#include <algorithm>
#include <set>
#include <unordered_map>

#include "distill/fewshot.h"
#include "fewshot/excerpt.h"

namespace distill {
namespace {

// One origin while edits are replayed on it.
struct EditedOrigin {
    FewShot* fewshot;
    std::set<RowId> pinned;
    std::optional<std::size_t> dropped_by;  // the Drop edit's index
};

std::optional<std::size_t> position_of(const FewShot& f, RowId row) {
    for (std::size_t i = 0; i < f.shots.size(); ++i)
        if (f.shots[i].row == row) return i;
    return std::nullopt;
}

void move_shot(std::vector<Shot>& shots, std::size_t from, std::size_t to) {
    const Shot shot = shots[from];
    shots.erase(shots.begin() + static_cast<std::ptrdiff_t>(from));
    to = std::min(to, shots.size());
    shots.insert(shots.begin() + static_cast<std::ptrdiff_t>(to), shot);
}

class EditReplay {
public:
    EditReplay(std::vector<FewShot>& picks, const FewShotPicker& picker) : picker_(picker) {
        origins_.reserve(picks.size());
        for (auto& f : picks) origins_.emplace(picker.question(f.origin), EditedOrigin{&f, {}, std::nullopt});
    }

    // Empty when applied, else why not.
    std::string apply(const FewShotEdit& edit, std::size_t index) {
        const auto it = origins_.find(edit.origin);
        if (it == origins_.end())
            return picker_.find_question(edit.origin) ? "the origin is no longer sampled"
                                                      : "the origin's question is no longer in the corpus";
        EditedOrigin& o = it->second;
        if (o.dropped_by) return "the origin was dropped by edit " + std::to_string(*o.dropped_by);
        if (edit.kind == FewShotEditKind::Drop) {
            o.dropped_by = index;
            return {};
        }
        FewShot& f = *o.fewshot;
        const auto shot_row = picker_.find_question(edit.shot);
        if (!shot_row) return "the shot's question is no longer in the corpus";
        const auto at = position_of(f, *shot_row);

        switch (edit.kind) {
        case FewShotEditKind::Replace: {
            if (!at) return "the shot is no longer picked for this origin";
            const auto with_row = picker_.find_question(edit.with);
            if (!with_row) return "the replacement's question is no longer in the corpus";
            if (*with_row == f.origin) return "the replacement is the origin itself";
            std::size_t place = *at;
            // The picker may find the replacement by itself after a re-run:
            // the curator's choice (this question, at this place) still holds.
            if (const auto already = position_of(f, *with_row); already && *already != place) {
                f.shots.erase(f.shots.begin() + static_cast<std::ptrdiff_t>(*already));
                if (*already < place) --place;
            }
            o.pinned.erase(*shot_row);
            f.shots[place] = {*with_row, picker_.similarity(f.origin, *with_row)};
            return {};
        }
        case FewShotEditKind::Remove:
            if (!at) return "the shot is no longer picked for this origin";
            f.shots.erase(f.shots.begin() + static_cast<std::ptrdiff_t>(*at));
            o.pinned.erase(*shot_row);
            return {};
        case FewShotEditKind::Move:
            if (!at) return "the shot is no longer picked for this origin";
            move_shot(f.shots, *at, edit.to);
            return {};
        case FewShotEditKind::Pin:
            if (*shot_row == f.origin) return "the pinned shot is the origin itself";
            if (at) {
                move_shot(f.shots, *at, edit.to);
            } else {
                // In place of the last unpinned shot, so that pinning keeps
                // the origin's number of shots (unless every shot is pinned).
                for (std::size_t i = f.shots.size(); i-- > 0;)
                    if (!o.pinned.count(f.shots[i].row)) {
                        f.shots.erase(f.shots.begin() + static_cast<std::ptrdiff_t>(i));
                        break;
                    }
                const std::size_t to = std::min(edit.to, f.shots.size());
                f.shots.insert(f.shots.begin() + static_cast<std::ptrdiff_t>(to),
                               Shot{*shot_row, picker_.similarity(f.origin, *shot_row)});
            }
            o.pinned.insert(*shot_row);
            return {};
        case FewShotEditKind::Drop:
            break;  // handled before the shot was looked up
        case FewShotEditKind::Unpin:
            break;  // undoes earlier Pins before the replay (unpinned_pins)
        }
        return {};
    }

    bool dropped(const FewShot& f) const {
        return origins_.at(picker_.question(f.origin)).dropped_by.has_value();
    }

private:
    const FewShotPicker& picker_;
    std::unordered_map<std::string_view, EditedOrigin> origins_;  // by the origin's question
};

// The Pins an Unpin later in the list undoes (same origin and shot), which
// the replay then skips: those still in force, back to the last Remove or
// Replace of the shot, which ended the earlier ones. An Unpin with no such
// Pin is reported.
std::vector<char> unpinned_pins(const std::vector<FewShotEdit>& edits, std::vector<UnappliedEdit>& unapplied) {
    std::vector<char> skipped(edits.size(), 0);
    for (std::size_t u = 0; u < edits.size(); ++u) {
        if (edits[u].kind != FewShotEditKind::Unpin) continue;
        bool undid = false;
        for (std::size_t p = u; p-- > 0;) {
            const FewShotEdit& e = edits[p];
            if (e.origin != edits[u].origin || e.shot != edits[u].shot) continue;
            if (e.kind == FewShotEditKind::Remove || e.kind == FewShotEditKind::Replace) break;
            if (e.kind == FewShotEditKind::Pin && !skipped[p]) skipped[p] = undid = true;
        }
        if (!undid) unapplied.push_back({u, "the shot is not pinned by an earlier edit"});
        skipped[u] = true;
    }
    return skipped;
}

}  // namespace

EditedFewShots apply_fewshot_edits(std::vector<FewShot> picks, const std::vector<FewShotEdit>& edits,
                                   const FewShotPicker& picker) {
    EditedFewShots out;
    std::vector<UnappliedEdit> lone_unpins;
    const std::vector<char> skipped = unpinned_pins(edits, lone_unpins);
    EditReplay replay(picks, picker);
    for (std::size_t i = 0; i < edits.size(); ++i) {
        if (skipped[i]) {
            // A Pin undone and the Unpin that undid it both did what was asked.
            if (std::none_of(lone_unpins.begin(), lone_unpins.end(), [i](const UnappliedEdit& u) { return u.index == i; }))
                ++out.applied;
            continue;
        }
        std::string reason = replay.apply(edits[i], i);
        if (reason.empty()) ++out.applied;
        else out.unapplied.push_back({i, std::move(reason)});
    }
    out.unapplied.insert(out.unapplied.end(), lone_unpins.begin(), lone_unpins.end());
    std::sort(out.unapplied.begin(), out.unapplied.end(),
              [](const UnappliedEdit& a, const UnappliedEdit& b) { return a.index < b.index; });
    for (auto& f : picks)
        if (!replay.dropped(f)) out.fewshots.push_back(std::move(f));
    return out;
}

std::string describe(const UnappliedEdit& unapplied, const std::vector<FewShotEdit>& edits) {
    const FewShotEdit& e = edits.at(unapplied.index);
    return "edit " + std::to_string(unapplied.index) + " (" + to_string(e.kind) + ", origin " +
           fewshot::quoted_excerpt(e.origin) + ") not applied: " + unapplied.reason;
}

}  // namespace distill
