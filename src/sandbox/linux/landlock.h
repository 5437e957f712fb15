// Landlock: the read/write allowlist beneath the mount view, TCP deny and
// IPC scoping. Unprivileged, stacks with everything else, and dies with the
// process tree, so it leaves nothing on the host.
//
// Rules are computed in the parent (Rules, before clone); the child opens the
// paths in its final mount view and calls Apply(), which allocates nothing.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sandbox/linux/child_status.h"

namespace cordon::sandbox::landlock {

// Access bits of the kernel ABI (linux/landlock.h; Debian 12's headers lack
// the newer ones, so they are spelled out here).
namespace fs {
inline constexpr uint64_t kExecute = 1ULL << 0;
inline constexpr uint64_t kWriteFile = 1ULL << 1;
inline constexpr uint64_t kReadFile = 1ULL << 2;
inline constexpr uint64_t kReadDir = 1ULL << 3;
inline constexpr uint64_t kRemoveDir = 1ULL << 4;
inline constexpr uint64_t kRemoveFile = 1ULL << 5;
inline constexpr uint64_t kMakeChar = 1ULL << 6;
inline constexpr uint64_t kMakeDir = 1ULL << 7;
inline constexpr uint64_t kMakeReg = 1ULL << 8;
inline constexpr uint64_t kMakeSock = 1ULL << 9;
inline constexpr uint64_t kMakeFifo = 1ULL << 10;
inline constexpr uint64_t kMakeBlock = 1ULL << 11;
inline constexpr uint64_t kMakeSym = 1ULL << 12;
inline constexpr uint64_t kRefer = 1ULL << 13;     // ABI 2
inline constexpr uint64_t kTruncate = 1ULL << 14;  // ABI 3
inline constexpr uint64_t kIoctlDev = 1ULL << 15;  // ABI 5

inline constexpr uint64_t kRead = kExecute | kReadFile | kReadDir;
inline constexpr uint64_t kAll = (1ULL << 16) - 1;
inline constexpr uint64_t kWrite = kAll & ~kRead;
// Rights that make sense on a non-directory (the kernel rejects others).
inline constexpr uint64_t kFileOnly = kExecute | kWriteFile | kReadFile | kTruncate | kIoctlDev;
}  // namespace fs

// The best ABI this kernel offers (0: Landlock unavailable or disabled).
[[nodiscard]] int Probe();

// Filesystem rights each ABI can handle; what is missing below the best ABI
// is reported as degraded by the caller.
[[nodiscard]] uint64_t HandledFs(int abi);

struct PathRule {
  std::string path;  // opened in the child's final view
  uint64_t access = 0;
};

struct Rules {
  int abi = 0;                  // the ABI to use (from Probe())
  std::vector<PathRule> paths;  // paths that do not exist are skipped
  bool deny_tcp = false;        // ABI >= 4: no TCP bind/connect at all
  // With deny_tcp: TCP connect (never bind) to this port stays allowed, on
  // any address (Landlock matches ports only); 0 for none. For the proxy
  // listener on host loopback in the namespace-less tier.
  uint16_t allow_connect_port = 0;
  bool scope_ipc = false;  // ABI >= 6: abstract unix sockets and signals
  // Access for the extra fd given to Apply.
  uint64_t extra_access = 0;
};

// Creates the ruleset, adds the rules and restricts the calling thread.
// `extra_fd` (-1 for none) is an O_PATH fd that gets `rules.extra_access`:
// the host's /dev/pts, opened before /dev is covered, so the terminal cordon
// was started on keeps working through /proc/self/fd. no_new_privs must
// already be set. Allocates nothing.
[[nodiscard]] ChildStatus Apply(const Rules& rules, int extra_fd);

// A ruleset that grants everything the enclosing domain grants and only
// makes a new domain: a process that enters it (Enter) can neither ptrace
// (nor open /proc/PID/fd, mem or environ of) nor, from ABI 6 on, signal or
// reach the abstract unix sockets of a process outside it; processes of the
// enclosing domain still can. Below ABI 6 it handles only the making of
// block devices (which no rule grants, and no capability is left for), so
// that it is a domain at all. The fd is close-on-exec. Allocates nothing.
[[nodiscard]] ChildStatus ScopeRuleset(int abi, int* fd);
// landlock_restrict_self(ruleset_fd): the calling thread enters a new
// domain nested in its own. no_new_privs must already be set.
[[nodiscard]] ChildStatus Enter(int ruleset_fd);

}  // namespace cordon::sandbox::landlock
