// User namespace identity and privileges of the child.
//
// The child maps only its own uid and gid (what an unprivileged process may
// do for itself), so no helper or setuid binary is needed, and drops every
// capability once the view is built.
#pragma once

#include <sched.h>

#include <string>

#include "sandbox/linux/child_status.h"

namespace cordon::sandbox::namespaces {

// The namespaces of a confined run. The network namespace is left out for
// --net full.
inline constexpr unsigned long kAll = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC |
                                      CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_NEWNET;

// The id maps, formatted before clone: "UID UID 1\n".
struct IdMaps {
  std::string uid_map;
  std::string gid_map;
};
[[nodiscard]] IdMaps CurrentIdMaps();

// Writes setgroups=deny and the maps for the calling process.
[[nodiscard]] ChildStatus WriteIdMaps(const IdMaps& maps);

// Sets a neutral hostname in the new UTS namespace.
[[nodiscard]] ChildStatus SetHostname();

// Drops all capabilities (effective, permitted, inheritable, ambient,
// bounding) and locks securebits so that exec as uid 0 grants none back.
[[nodiscard]] ChildStatus DropCapabilities();

// The remedy for a failed clone(CLONE_NEWUSER): AppArmor, sysctls.
[[nodiscard]] std::string UserNamespaceHint(int err);

}  // namespace cordon::sandbox::namespaces
