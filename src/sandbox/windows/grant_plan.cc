// The grant planner (see grant_plan.h).
#include "sandbox/windows/grant_plan.h"

#include <utility>

#include "sandbox/windows/sid_derive.h"

namespace cordon::sandbox::windows {
namespace {

bool WithinAny(const NormalPath& p, const std::vector<NormalPath>& roots) {
  for (const NormalPath& r : roots) {
    if (IsWithin(p, r)) return true;
  }
  return false;
}

}  // namespace

Result<std::vector<AceEntry>> PlanGrants(const GrantInputs& in, const ProfileFacts& facts) {
  if (!IsSidString(in.sid)) return PlainError("grant plan", in.sid, "not a SID");
  std::vector<AceEntry> out;
  const auto add = [&](const NormalPath& p, AceType type, uint8_t inherit, uint32_t mask) {
    out.push_back(AceEntry{p.Display(), type, inherit, mask, in.sid, ""});
  };

  if (in.read_only && !in.writable_roots.empty()) {
    return PlainError("grant plan", in.writable_roots.front(),
                      "a read-only run has no writable root");
  }
  std::vector<NormalPath> writable;
  std::vector<std::string> write_list;
  if (!in.read_only) write_list.push_back(in.workspace);
  write_list.insert(write_list.end(), in.writable_roots.begin(), in.writable_roots.end());
  for (const std::string& w : write_list) {
    Result<NormalPath> root = ValidateGrantRoot(w, facts);
    if (!root.ok()) return root.error();
    // A root inside another inherits its grant already.
    if (WithinAny(root.value(), writable)) continue;
    writable.push_back(std::move(root).value());
    add(writable.back(), AceType::kAllow, kObjectInherit | kContainerInherit, kFileModify);
  }
  std::vector<NormalPath> readable;
  std::vector<std::string> read_list;
  if (in.read_only) read_list.push_back(in.workspace);
  read_list.insert(read_list.end(), in.readable_roots.begin(), in.readable_roots.end());
  for (const std::string& r : read_list) {
    Result<NormalPath> root = ValidateGrantRoot(r, facts);
    if (!root.ok()) return root.error();
    if (WithinAny(root.value(), writable) || WithinAny(root.value(), readable)) continue;
    readable.push_back(std::move(root).value());
    add(readable.back(), AceType::kAllow, kObjectInherit | kContainerInherit, kFileReadExecute);
  }

  for (const ProtectedInput& d : in.deny_read) {
    Result<NormalPath> p = Normalize(d.path);
    if (!p.ok()) return p.error();
    if (!WithinAny(p.value(), writable) && !WithinAny(p.value(), readable)) continue;
    for (const std::vector<NormalPath>* roots : {&writable, &readable}) {
      for (const NormalPath& r : *roots) {
        if (SamePath(p.value(), r)) {
          return PlainError("grant plan", d.path, "a deny-read path is a granted root itself");
        }
      }
    }
    add(p.value(), AceType::kDeny, d.directory ? kObjectInherit | kContainerInherit : 0,
        kDenyReadAndWrite);
  }

  std::vector<NormalPath> delete_denied;
  for (const ProtectedInput& pi : in.protected_paths) {
    Result<NormalPath> p = Normalize(pi.path);
    if (!p.ok()) return p.error();
    const NormalPath& path = p.value();
    const NormalPath* root = nullptr;
    for (const NormalPath& w : writable) {
      if (IsWithin(path, w)) root = &w;
    }
    if (root == nullptr) continue;  // not writable: nothing to deny
    if (SamePath(path, *root)) {
      return PlainError("grant plan", pi.path, "a protected path is a writable root itself");
    }
    add(path, AceType::kDeny, pi.directory ? kObjectInherit | kContainerInherit : 0, kDenyWrite);
    // Each directory strictly between the root and the path.
    NormalPath ancestor = path;
    ancestor.stream.clear();
    while (ancestor.components.size() > root->components.size() + 1) {
      ancestor.components.pop_back();
      Result<NormalPath> again = Normalize(ancestor.Display());
      if (!again.ok()) return again.error();
      bool seen = false;
      for (const NormalPath& d : delete_denied) seen = seen || SamePath(d, again.value());
      if (seen) continue;
      delete_denied.push_back(again.value());
      add(again.value(), AceType::kDeny, 0, kDelete);
    }
  }
  return out;
}

}  // namespace cordon::sandbox::windows
