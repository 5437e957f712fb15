// Which writable path a person may be offered: after a run failed on a
// denied write (approval policy on-failure), or when the agent asks for one
// (`cordon mcp`'s request_writable).
//
// A writable path granted by one keypress must never open what the policy
// protects: not /, not the home itself or a directory containing it, not a
// file directly in the home nor a path whose contents run on the host
// (~/.bashrc, ~/.config/autostart, ~/.local/bin ...), not a system
// directory, nothing inside or containing a deny-read, hidden or protected
// path (.git, .git/hooks, .envrc, .cordon.toml, --protect), and
// only a path that exists on the host (resolved through symlinks, so a link
// cannot smuggle one of those in). The choice is a pure function of the
// denied path and these facts; only FactsFrom looks at the host.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "policy/policy.h"

namespace cordon::approval {

struct WritableFacts {
  std::string home;
  std::string workspace;
  bool workspace_writable = true;
  std::vector<std::string> writable;   // writable roots besides the workspace
  std::vector<std::string> protect;    // protected paths, the workspace's .git included
  std::vector<std::string> deny_read;  // deny-read and hidden paths
  // realpath(3): the resolved path, nullopt when it does not exist.
  std::function<std::optional<std::string>(const std::string&)> real_path;
  // stat(2) says it is a directory (tests fake it).
  std::function<bool(const std::string&)> is_directory;
};

// The facts of `policy` on this host (real_path is policy::RealPath).
[[nodiscard]] WritableFacts FactsFrom(const policy::Policy& policy);

struct WritableOffer {
  std::string path;  // what to offer (resolved, exists); empty: nothing
  // Why nothing is offered, naming the path: "/home/u/.ssh is hidden from
  // the sandbox (deny-read /home/u/.ssh)".
  std::string why_not;
};

// After a write to `denied` (absolute) was denied: the denied path if it
// exists on the host, else its deepest existing ancestor, if the rules above
// allow it.
[[nodiscard]] WritableOffer ChooseWritable(const std::string& denied, const WritableFacts& facts);

// An agent's request_writable entry: absolute or relative to the workspace,
// existing on the host, allowed by the rules above. Returns the resolved
// path to pass as --writable, or an error naming the entry and the reason.
[[nodiscard]] Result<std::string> CheckWritableRequest(const std::string& requested,
                                                       const WritableFacts& facts);

}  // namespace cordon::approval
