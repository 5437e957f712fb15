// The reverse replay of the ACE journal (see uninstall_plan.h).
#include "sandbox/windows/uninstall_plan.h"

#include <map>
#include <utility>

#include "sandbox/windows/path_match.h"
#include "sandbox/windows/sddl.h"

namespace cordon::sandbox::windows {

Result<std::vector<UndoStep>> PlanUninstall(const std::vector<AceEntry>& journal,
                                            const ReadDacl& read_dacl) {
  // Keyed by the path's comparison key: "C:\Repo" and "c:/repo/" are one
  // DACL.
  std::map<std::string, std::optional<Dacl>> current;
  std::vector<UndoStep> steps;
  for (auto it = journal.rbegin(); it != journal.rend(); ++it) {
    const AceEntry& e = *it;
    Result<NormalPath> path = Normalize(e.path);
    if (!path.ok()) return path.error();
    auto found = current.find(path.value().key);
    if (found == current.end()) {
      std::optional<std::string> text = read_dacl(e.path);
      std::optional<Dacl> dacl;
      if (text.has_value()) {
        Result<Dacl> parsed = ParseDacl(*text);
        if (!parsed.ok()) return parsed.error();
        dacl = std::move(parsed).value();
      }
      found = current.emplace(path.value().key, std::move(dacl)).first;
    }
    UndoStep step;
    step.entry = e;
    if (!found->second.has_value()) {
      step.kind = UndoStep::Kind::kPathGone;
    } else {
      Result<bool> removed = RemoveAce(*found->second, AceSddl(e));
      if (!removed.ok()) return removed.error();
      if (removed.value()) {
        step.kind = UndoStep::Kind::kWriteDacl;
        step.new_dacl = FormatDacl(*found->second);
        step.restored_exactly = !e.previous_dacl.empty() && step.new_dacl == e.previous_dacl;
      } else {
        step.kind = UndoStep::Kind::kAlreadyGone;
      }
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace cordon::sandbox::windows
