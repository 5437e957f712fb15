// The root-only rule on Windows: there is none. Its question (which files
// only root's privileges make readable) has no counterpart: a Windows run
// never confines an elevated token, and what an AppContainer reads is
// decided by the DACLs (docs/windows.md), not by mode bits. HostFacts::root
// is always false there, so DefaultPolicy never asks; the functions exist so
// that the shared code links.
#include "policy/root_only.h"

namespace cordon::policy {

std::vector<RootOnlyPath> FindRootOnly(std::span<const std::string> /*roots*/,
                                       const std::string& /*keep*/) {
  return {};
}

std::span<const std::string> RootOnlyRoots() { return {}; }

std::string RootOnlyRuleName(const std::string& root) { return "root-only under " + root; }

}  // namespace cordon::policy
