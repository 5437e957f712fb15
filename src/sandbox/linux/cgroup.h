// The run's cgroup: memory, process and CPU limits for the whole process
// tree (docs/limits.md).
//
// cordon makes one cgroup per run where it may: under its own cgroup's
// parent when that is delegated to the user (cgroup v2, a systemd
// `Delegate=yes` scope), under /sys/fs/cgroup/cordon for root (v2), or
// beside its own cgroup in each v1 hierarchy for root on a host that still
// mounts the controllers as cgroup v1. Finding the place is a read of
// /proc/self/cgroup and a few stats: no D-Bus, no process. The cgroup is
// removed when the run ends; one that a killed cordon left is swept (its
// processes killed) by the next run that probes the same place.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"

namespace cordon::sandbox::cgroup {

enum class Version { kNone, kV1, kV2 };

// Where runs' cgroups go on this host, and which controllers they get.
struct Host {
  Version version = Version::kNone;
  // kNone: why, and what would give cordon a cgroup (the remedy).
  std::string reason;
  std::string remedy;
  // The directory each run's cgroup is made in, per controller (v2: the
  // same directory thrice); empty: that controller is not available.
  std::string memory;
  std::string pids;
  std::string cpu;
  // v2: the parent must be made and its subtree_control written first
  // (root's /sys/fs/cgroup/cordon).
  bool make_parent = false;
};

// Reads /proc/self/cgroup and the controllers the candidate place offers.
[[nodiscard]] Host Probe();

// The limits to write; 0: none.
struct Settings {
  int64_t memory_bytes = 0;
  int64_t pids = 0;
  int64_t cpu_millis = 0;
};

// What the cgroup saw, read after the run (-1: the kernel does not say).
struct Usage {
  int64_t memory_peak = -1;  // bytes
  int64_t oom_kills = 0;     // processes the OOM killer ended
  int64_t memory_max_events = 0;
  int64_t pids_peak = -1;
  int64_t pids_max_events = 0;  // forks refused at pids.max
  int64_t cpu_throttled_us = -1;
};

// One run's cgroup. Destroying it kills what is left in it and removes it.
class RunGroup {
 public:
  RunGroup() = default;
  RunGroup(RunGroup&&) noexcept;
  RunGroup& operator=(RunGroup&&) noexcept;
  RunGroup(const RunGroup&) = delete;
  RunGroup& operator=(const RunGroup&) = delete;
  ~RunGroup();

  // Makes the cgroup and writes the settings; sweeps what killed runs left
  // beside it first. Fails naming the file and errno.
  [[nodiscard]] static Result<RunGroup> Create(const Host& host, const Settings& settings);

  [[nodiscard]] bool valid() const { return !dirs_.empty(); }
  // Moves `pid` (the sandbox's first process, before it starts the
  // command) into the group, in every hierarchy.
  [[nodiscard]] Status Place(pid_t pid) const;
  // v1 with a memory limit: readable when the OOM killer acted in the
  // group (cgroup.event_control), so the supervisor ends the whole run as
  // v2's memory.oom.group does; -1 otherwise.
  [[nodiscard]] int oom_fd() const { return oom_fd_.get(); }
  [[nodiscard]] Usage Read() const;

 private:
  void Remove();

  Version version_ = Version::kNone;
  std::vector<std::string> dirs_;  // the run's cgroup, per hierarchy
  std::string memory_dir_;
  std::string pids_dir_;
  std::string cpu_dir_;
  std::string made_parent_;  // root's v2 parent, removed once empty
  UniqueFd oom_fd_;
};

}  // namespace cordon::sandbox::cgroup
