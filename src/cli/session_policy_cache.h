// The `cordon session` daemon's resolutions, kept while nothing they
// depend on can have changed.
//
// The daemon resolves each client's policy as a fresh run of that client
// would, and runs the command in the session only when it is the session's
// (session_daemon.h). A resolution is a pure function of the client's
// options, its host facts (environment, cwd, the host's RAM) and what it
// finds on the file system, and it was 0.8 ms of a session command's 6.6
// (bench/README.md, issue 16). So the daemon keeps its last one, with
// inotify watches on everything that resolution looked at, and hands it to
// the next client with the same options and the same facts while no watch
// has fired and the mount table is the same. Any event at all drops it:
// the next client resolves in full, as before.
//
// What is watched (WatchTargets): every path the resolution looked up,
// read or listed (policy::LookupMemo records them) is walked from "/" one
// component at a time, following symlinks to the end; every directory on
// every walk is watched for its entries and its own attributes (a name
// made, removed, renamed or replaced there; a chmod of it), and every file
// the resolution read is watched for its content and attributes. A walk
// that ends at a missing name ends at the directory that would hold it,
// which is watched. Mounts do not show in inotify: /proc/self/mountinfo
// reports every change of the mount table.
//
// The fill closes the gap between looking and watching: it resolves once
// to learn what to watch, installs the watches, resolves again, and keeps
// the second result only when everything that one looked at was already
// watched and no watch fired before it ended.
//
// What is not kept: a resolution whose paths could not all be watched (a
// directory that can be searched but not read; a symlink whose target
// climbs with ".."; more than 4096 paths). Those clients resolve in full
// each time; `cordon session status --json` says why (policy_not_kept).
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/unique_fd.h"
#include "policy/loader.h"
#include "policy/policy.h"

namespace cordon::cli {

// The paths to watch for these lookups and reads: directories as "d:PATH",
// files whose content was read as "f:PATH". nullopt (why in *why) when
// what they depend on cannot be named as paths.
[[nodiscard]] std::optional<std::set<std::string>> WatchTargets(
    const std::vector<std::string>& looked_at, const std::vector<std::string>& read,
    std::string* why);

// Watches on WatchTargets' paths and on the mount table.
class HostWatch {
 public:
  // nullopt (why in *why) when one of them cannot be watched.
  [[nodiscard]] static std::optional<HostWatch> Create(const std::set<std::string>& targets,
                                                       std::string* why);
  // True once anything watched may have changed (and from then on).
  [[nodiscard]] bool Changed();
  [[nodiscard]] const std::set<std::string>& targets() const { return targets_; }

 private:
  UniqueFd inotify_, mounts_;
  std::set<std::string> targets_;
  bool changed_ = false;
};

class PolicyCache {
 public:
  // The policy kept for these options and facts, when nothing it depends on
  // has changed since it was resolved.
  [[nodiscard]] std::optional<policy::Policy> Find(const std::vector<std::string>& options,
                                                   const policy::HostFacts& host);
  // Resolves again under watches on what a resolution of the same options
  // and facts looked at (`looked_at`, `read`), and keeps that result when
  // it holds (see above) and `accept` takes it. Returns why not, or "" when
  // kept.
  std::string Fill(const std::vector<std::string>& options, const policy::Overrides& overrides,
                   const policy::HostFacts& host, const std::vector<std::string>& looked_at,
                   const std::vector<std::string>& read,
                   const std::function<bool(policy::Policy&)>& accept);
  // Clients served from it, and why the last fill kept nothing ("" when it
  // kept a resolution): `cordon session status`.
  [[nodiscard]] uint64_t hits();
  [[nodiscard]] std::string Why();

 private:
  std::string Keep(const std::vector<std::string>& options, const policy::Overrides& overrides,
                   const policy::HostFacts& host, const std::vector<std::string>& looked_at,
                   const std::vector<std::string>& read,
                   const std::function<bool(policy::Policy&)>& accept);

  struct Entry {
    std::vector<std::string> options;
    policy::HostFacts host;
    policy::Policy policy;
    HostWatch watch;
  };
  std::mutex mu_;
  std::optional<Entry> entry_;
  uint64_t hits_ = 0;
  std::string why_;
};

}  // namespace cordon::cli
