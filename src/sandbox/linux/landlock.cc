// Landlock syscalls by hand: glibc has no wrappers and no library covers
// ABI 4-7 (network, IPC scoping).
#include "sandbox/linux/landlock.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>

namespace cordon::sandbox::landlock {
namespace {

constexpr unsigned kCreateRulesetVersion = 1U << 0;
constexpr int kRulePathBeneath = 1;
constexpr int kRuleNetPort = 2;
constexpr uint64_t kNetBindTcp = 1ULL << 0;
constexpr uint64_t kNetConnectTcp = 1ULL << 1;
constexpr uint64_t kScopeAbstractUnixSocket = 1ULL << 0;
constexpr uint64_t kScopeSignal = 1ULL << 1;

struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};

struct NetPortAttr {
  uint64_t allowed_access;
  uint64_t port;
};

long CreateRuleset(const RulesetAttr* attr, size_t size, unsigned flags) {
  return syscall(SYS_landlock_create_ruleset, attr, size, flags);
}

// Adds one rule; a path that does not exist in the view is skipped (the
// policy lists toolchain dirs that may be absent).
ChildStatus AddPath(int ruleset, const char* path, int fd, uint64_t access, uint64_t handled) {
  struct stat st {};
  if (fstat(fd, &st) != 0) return ChildStatus::Errno("fstat", path);
  PathBeneathAttr attr{};
  attr.allowed_access = access & handled;
  if (!S_ISDIR(st.st_mode)) attr.allowed_access &= fs::kFileOnly;
  attr.parent_fd = fd;
  if (attr.allowed_access == 0) return ChildStatus::Ok();
  if (syscall(SYS_landlock_add_rule, ruleset, kRulePathBeneath, &attr, 0) != 0) {
    return ChildStatus::Errno("landlock_add_rule", path);
  }
  return ChildStatus::Ok();
}

}  // namespace

int Probe() {
  long abi = CreateRuleset(nullptr, 0, kCreateRulesetVersion);
  return abi < 0 ? 0 : static_cast<int>(abi);
}

uint64_t HandledFs(int abi) {
  if (abi <= 0) return 0;
  uint64_t handled = fs::kAll;
  if (abi < 2) handled &= ~fs::kRefer;
  if (abi < 3) handled &= ~fs::kTruncate;
  if (abi < 5) handled &= ~fs::kIoctlDev;
  return handled;
}

ChildStatus Apply(const Rules& rules, int extra_fd) {
  RulesetAttr attr{};
  attr.handled_access_fs = HandledFs(rules.abi);
  size_t size = sizeof(attr);
  if (rules.deny_tcp && rules.abi >= 4) attr.handled_access_net = kNetBindTcp | kNetConnectTcp;
  if (rules.scope_ipc && rules.abi >= 6) attr.scoped = kScopeAbstractUnixSocket | kScopeSignal;
  // Older kernels reject a struct larger than they know unless the tail is 0.
  if (rules.abi < 4)
    size = offsetof(RulesetAttr, handled_access_net);
  else if (rules.abi < 6)
    size = offsetof(RulesetAttr, scoped);

  int ruleset = static_cast<int>(CreateRuleset(&attr, size, 0));
  if (ruleset < 0) return ChildStatus::Errno("landlock_create_ruleset", nullptr);

  for (const PathRule& rule : rules.paths) {
    int fd = open(rule.path.c_str(), O_PATH | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) continue;
      ChildStatus st = ChildStatus::Errno("open(O_PATH) for landlock", rule.path.c_str());
      close(ruleset);
      return st;
    }
    ChildStatus st = AddPath(ruleset, rule.path.c_str(), fd, rule.access, attr.handled_access_fs);
    close(fd);
    if (!st.ok()) {
      close(ruleset);
      return st;
    }
  }
  if (extra_fd >= 0) {
    ChildStatus st =
        AddPath(ruleset, "/dev/pts (host)", extra_fd, rules.extra_access, attr.handled_access_fs);
    if (!st.ok()) {
      close(ruleset);
      return st;
    }
  }
  if (attr.handled_access_net != 0 && rules.allow_connect_port != 0) {
    NetPortAttr port{kNetConnectTcp, rules.allow_connect_port};
    if (syscall(SYS_landlock_add_rule, ruleset, kRuleNetPort, &port, 0) != 0) {
      ChildStatus st = ChildStatus::Errno("landlock_add_rule(LANDLOCK_RULE_NET_PORT)", nullptr);
      close(ruleset);
      return st;
    }
  }
  if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) {
    ChildStatus st = ChildStatus::Errno("landlock_restrict_self", nullptr);
    close(ruleset);
    return st;
  }
  close(ruleset);
  return ChildStatus::Ok();
}

ChildStatus ScopeRuleset(int abi, int* fd) {
  RulesetAttr attr{};
  size_t size = offsetof(RulesetAttr, handled_access_net);
  if (abi >= 6) {
    attr.scoped = kScopeAbstractUnixSocket | kScopeSignal;
    size = sizeof(attr);
  } else {
    attr.handled_access_fs = fs::kMakeBlock;
  }
  *fd = static_cast<int>(CreateRuleset(&attr, size, 0));
  if (*fd < 0) return ChildStatus::Errno("landlock_create_ruleset", "a call's scope");
  return ChildStatus::Ok();
}

ChildStatus Enter(int ruleset_fd) {
  if (syscall(SYS_landlock_restrict_self, ruleset_fd, 0) != 0) {
    return ChildStatus::Errno("landlock_restrict_self", "a call's scope");
  }
  return ChildStatus::Ok();
}

}  // namespace cordon::sandbox::landlock
