// The workspace's ACEs, once per workspace (see workspace_grants-win32.h).
#include "sandbox/windows/workspace_grants-win32.h"

#include <windows.h>
// (after windows.h, which they need)
#include <knownfolders.h>

#include <utility>

#include "sandbox/windows/acl_apply-win32.h"
#include "sandbox/windows/path_match.h"
#include "sandbox/windows/profile_facts-win32.h"
#include "sandbox/windows/sid_derive.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::windows {
namespace {

struct Root {
  std::string given;
  NormalPath given_path;
  std::string final_path;
  NormalPath real;
};

Result<Root> Resolve(const std::string& given, std::string_view what) {
  Result<NormalPath> spelled = Normalize(given);
  if (!spelled.ok()) return spelled.error();
  Result<std::string> real = FinalPath(given);
  if (!real.ok()) {
    Error e = real.error();
    e.op = "grant: the final path of the " + std::string(what) + " (" + e.op + ")";
    e.hint = "a grant root must exist; create it or drop it from the policy";
    return e;
  }
  Result<NormalPath> normal = Normalize(real.value());
  if (!normal.ok()) return normal.error();
  return Root{given, std::move(spelled).value(), real.value(), std::move(normal).value()};
}

Status Validate(const Root& root, const ProfileFacts& facts) {
  Result<NormalPath> ok = ValidateGrantRoot(root.final_path, facts);
  if (ok.ok()) return {};
  Error e = ok.error();
  // The user wrote `given`; say where it leads when that is elsewhere.
  if (!SamePath(root.given_path, root.real)) {
    e.object = root.given + " (really " + root.final_path + ")";
  }
  return e;
}

// `path` moved from below `from` to below `to` (both roots).
std::string Rebase(const NormalPath& path, const NormalPath& from, const NormalPath& to) {
  NormalPath out = to;
  out.components.insert(out.components.end(), path.components.begin() + from.components.size(),
                        path.components.end());
  out.stream.clear();
  return out.Display();
}

// mkdir -p of the journal's folder (%LOCALAPPDATA% exists; "cordon" may not).
Status MakeParentDirs(const std::string& file) {
  Result<NormalPath> p = Normalize(file);
  if (!p.ok()) return p.error();
  NormalPath dir = p.value();
  if (dir.components.empty()) return PlainError("journal", file, "is a root, not a file");
  dir.components.pop_back();
  NormalPath step = dir;
  step.components.clear();
  for (const std::string& c : dir.components) {
    step.components.push_back(c);
    const std::string path = step.Display();
    if (CreateDirectoryW(Widen(path).c_str(), nullptr)) continue;
    const DWORD code = GetLastError();
    if (code != ERROR_ALREADY_EXISTS)
      return WinError("CreateDirectoryW(journal folder)", path, code);
  }
  return {};
}

}  // namespace

std::string GrantSummary::Describe() const {
  if (added == 0) return "grants in place (" + std::to_string(planned) + " ACEs)";
  if (already_present == 0) {
    return "first run in this workspace: " + std::to_string(added) + " ACEs added";
  }
  return std::to_string(added) + " ACEs added, " + std::to_string(already_present) +
         " already in place";
}

Result<GrantSummary> EnsureWorkspaceGrants(const GrantRequest& request) {
  // 1. Where each root really is.
  Result<Root> workspace = Resolve(request.workspace, "workspace");
  if (!workspace.ok()) return workspace.error();
  std::vector<Root> writable = {workspace.value()};
  for (const std::string& w : request.writable_roots) {
    Result<Root> r = Resolve(w, "writable root");
    if (!r.ok()) return r.error();
    writable.push_back(std::move(r).value());
  }
  std::vector<Root> readable;
  for (const std::string& w : request.readable_roots) {
    Result<Root> r = Resolve(w, "readable root");
    if (!r.ok()) return r.error();
    readable.push_back(std::move(r).value());
  }

  // 2. Judged as what they are.
  Result<ProfileFacts> facts = GatherProfileFacts();
  if (!facts.ok()) return facts.error();
  for (const std::vector<Root>* list : {&writable, &readable}) {
    for (const Root& r : *list) CORDON_RETURN_IF_ERROR(Validate(r, facts.value()));
  }

  GrantSummary summary;
  GrantInputs in;
  in.workspace = workspace.value().final_path;
  summary.workspace = in.workspace;
  for (size_t i = 1; i < writable.size(); ++i) in.writable_roots.push_back(writable[i].final_path);
  for (const Root& r : readable) in.readable_roots.push_back(r.final_path);
  for (const ProtectedInput& p : request.protected_paths) {
    Result<NormalPath> spelled = Normalize(p.path);
    if (!spelled.ok()) return spelled.error();
    const Root* root = nullptr;
    std::string moved;
    for (const Root& r : writable) {
      if (IsWithin(spelled.value(), r.given_path)) {
        moved = Rebase(spelled.value(), r.given_path, r.real);
      } else if (IsWithin(spelled.value(), r.real)) {
        moved = Rebase(spelled.value(), r.real, r.real);
      } else {
        continue;
      }
      root = &r;
      break;
    }
    if (root == nullptr) continue;  // not writable: nothing to deny
    if (GetFileAttributesW(Widen(moved).c_str()) == INVALID_FILE_ATTRIBUTES) {
      const DWORD code = GetLastError();
      if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND) {
        summary.protected_absent.push_back(moved);
        continue;
      }
      return WinError("GetFileAttributesW(protected path)", moved, code);
    }
    Result<std::string> real = FinalPath(moved);
    if (!real.ok()) return real.error();
    Result<NormalPath> real_path = Normalize(real.value());
    if (!real_path.ok()) return real_path.error();
    if (!IsWithin(real_path.value(), root->real) || SamePath(real_path.value(), root->real)) {
      Error e = PlainError("grant: protected path", p.path,
                           "leads to " + real.value() + ", outside " + root->final_path);
      e.hint =
          "a protected path that is a link or junction out of the workspace would put its "
          "deny ACE on the target; remove the link";
      return e;
    }
    in.protected_paths.push_back({real.value(), p.directory});
  }

  // Deny-read paths where they really are; one that does not exist has
  // nothing to hide (what a run creates there is its own).
  for (const std::string& d : request.deny_read) {
    const DWORD attrs = GetFileAttributesW(Widen(d).c_str());
    if (attrs == INVALID_FILE_ATTRIBUTES) continue;
    Result<std::string> real = FinalPath(d);
    if (!real.ok()) return real.error();
    in.deny_read.push_back({real.value(), (attrs & FILE_ATTRIBUTE_DIRECTORY) != 0});
  }

  // 3. The workspace's capability, from its final path.
  in.read_only = request.read_only;
  summary.capability_name = request.read_only
                                ? WorkspaceReadCapabilityName(workspace.value().real.key)
                                : WorkspaceCapabilityName(workspace.value().real.key);
  Result<std::string> sid = CapabilitySidFromName(summary.capability_name);
  if (!sid.ok()) return sid.error();
  summary.sid = sid.value();
  in.sid = sid.value();

  // 4. The plan, validated once more root by root (PlanGrants refuses a
  // forbidden root itself: nothing is half-planned).
  Result<std::vector<AceEntry>> plan = PlanGrants(in, facts.value());
  if (!plan.ok()) return plan.error();
  summary.planned = plan.value().size();

  // 5. Journal first, then each ACE, read back.
  CORDON_RETURN_IF_ERROR(MakeParentDirs(request.journal));
  Result<std::vector<AceEntry>> added = acl_apply::ApplyGrants(plan.value(), request.journal);
  if (!added.ok()) return added.error();
  summary.added = added.value().size();
  summary.already_present = summary.planned - summary.added;
  summary.added_entries = std::move(added).value();
  return summary;
}

}  // namespace cordon::sandbox::windows
