// The namespace-less tier's plan (the user-namespace probe that chooses the
// tier is in userns_probe.cc).
#include "sandbox/linux/nsless.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "policy/paths.h"
#include "sandbox/linux/allowlist.h"
#include "sandbox/linux/cache_layers.h"
#include "sandbox/linux/dev_nodes.h"

namespace cordon::sandbox {
namespace {

namespace fs = landlock::fs;
using policy::Mode;
using policy::NetMode;

void SetEnv(std::vector<std::string>& envp, const std::string& name, const std::string& value) {
  std::string prefix = name + "=";
  std::erase_if(envp, [&](const std::string& e) { return e.starts_with(prefix); });
  envp.push_back(prefix + value);
}

// The host's /tmp can be granted only when nothing the policy keeps
// read-only or unreadable lies inside it (Landlock cannot take rights away
// beneath a grant).
bool TmpCanBeWritable(const policy::Policy& policy, bool ws_writable, policy::RealPathCache& real) {
  auto inside = [&real](const std::string& p) {
    return policy::IsWithin(p, "/tmp") || policy::IsWithin(real.Get(p), "/tmp");
  };
  if (!ws_writable && inside(policy.workspace)) return false;
  for (const auto& r : policy.read) {
    if (inside(r.path)) return false;
  }
  for (const auto& d : policy.deny_read) {
    if (inside(d.path)) return false;
  }
  for (const auto& h : policy.hide) {
    if (inside(h.path)) return false;
  }
  return true;
}

// Points each tool that has a setting for it at its layer's upper
// directory, which Landlock makes writable; the real caches stay as the
// allowlist has them (unreadable in the home).
void PlanCacheSettings(const policy::Policy& policy, std::vector<allowlist::Grant>& grants,
                       Plan& plan) {
  for (const policy::CacheLayer& c : policy.caches) {
    if (c.env.empty()) continue;
    Status made = cache_layers::Prepare(policy.cache_layers, c.layer, false);
    if (!made.ok()) {
      plan.notes.push_back("cache " + c.path + " has no layer: " + made.error().Describe());
      continue;
    }
    const std::string dir = c.layer + "/upper";
    grants.push_back({dir, fs::kAll});
    std::string value = c.env_prefix + dir;
    if (c.env_append) {
      std::string prefix = c.env + "=";
      auto it = std::find_if(plan.envp.begin(), plan.envp.end(),
                             [&](const std::string& e) { return e.starts_with(prefix); });
      if (it != plan.envp.end() && it->size() > prefix.size()) {
        value = it->substr(prefix.size()).append(" ").append(value);
      }
    }
    SetEnv(plan.envp, c.env, value);
  }
}

}  // namespace

bool IsNamespaceRefusal(int err) {
  return err == EPERM || err == EACCES || err == ENOSPC || err == EINVAL;
}

const std::vector<std::string>& NamespacelessLimits() {
  // Long lines split into adjacent literals on purpose.
  // NOLINTBEGIN(bugprone-suspicious-missing-comma)
  static const std::vector<std::string> kLimits = {
      "host processes are visible: ps lists them and /proc/PID/cmdline shows their command "
      "lines, passwords given as arguments included (mysql -pSECRET); hiding them needs a "
      "private /proc, i.e. a mount namespace. Landlock keeps them from being signalled or "
      "ptraced, and their environ, memory and open files unreadable",
      "no empty views: the home and paths outside the allowlist are unreadable (EACCES) rather "
      "than empty or absent; /tmp is the host's, readable and writable: the user's other files "
      "there (a Kerberos ticket cache /tmp/krb5cc_UID) and other users' files their modes "
      "allow can be read, changed and removed (TMPDIR points to a private directory that "
      "cordon removes after the run)",
      "protected paths (.git/hooks, .git/config, .envrc, .cordon.toml, --protect) are "
      "writable: Landlock cannot take rights away beneath the writable workspace, and carving "
      "them out would leave the workspace root and .git unable to create files",
      "deny-read paths inside a writable root cannot be hidden: such a run is refused, naming "
      "the path; inside read-only roots they are carved out of the allowlist, and the "
      "directories that lead to them can no longer be listed",
      "chmod and utimes work only on files of your own beneath the writable roots (cordon "
      "performs them; setuid bits are refused); chown and xattrs are refused everywhere "
      "(Landlock does not control metadata)",
      "loopback: the sandbox can connect only to what it bound itself (bound to 127.0.0.1 or "
      "::1 even when it asks for 0.0.0.0 or ::), the proxy, and --allow-local services; a "
      "port it bound and closed stays reachable for the rest of the run",
      "no AF_UNIX sockets (socketpair stream and seqpacket excepted), also inside the "
      "workspace: below Landlock ABI 8 a pathname socket cannot be filtered by its path",
      "no SysV IPC or POSIX message queues, no private /dev/shm, no new pseudo-terminals",
      "inside another sandbox whose seccomp filter holds a listener: chmod and utimes are "
      "refused everywhere, own loopback servers cannot bind, and with --net proxy the proxy's "
      "port is reachable on any address (Landlock matches TCP ports, not addresses)",
      "the hostname, the host's other sessions' process ids and the cgroup are the host's"};
  // NOLINTEND(bugprone-suspicious-missing-comma)
  return kLimits;
}

Status PlanNamespaceless(const policy::Policy& policy, const std::string& tmpdir,
                         std::string reason, Plan& plan) {
  plan.tier = Tier::kNamespaceless;
  plan.tier_reason = std::move(reason);
  plan.clone_flags = 0;
  plan.use_mount_view = false;
  plan.mounts = {};
  if (!plan.use_landlock) {
    Error e = PlainError("landlock", "",
                         "user namespaces are refused here (" + plan.tier_reason +
                             ") and Landlock is unavailable: nothing would confine the command");
    e.hint =
        "enable Landlock (Linux 5.13+, 'landlock' in the lsm= boot parameter) or allow "
        "unprivileged user namespaces for cordon";
    return e;
  }
  const int abi = plan.landlock.abi;
  plan.landlock = {};
  plan.landlock.abi = abi;

  // Read and write allowlists on the host's own paths.
  const bool ws_writable = policy.mode != Mode::kReadOnly;
  const uint64_t dev = kDevAccess;
  std::vector<allowlist::Grant> grants;
  for (const auto& r : policy.system_read) grants.push_back({r.path, fs::kRead});
  for (const auto& r : policy.read) grants.push_back({r.path, fs::kRead});
  grants.push_back({policy.workspace, ws_writable ? fs::kAll : fs::kRead});
  for (const auto& w : policy.writable) grants.push_back({w.path, fs::kAll});
  grants.push_back({tmpdir, fs::kAll});
  // The host's /tmp, read and write: programs that ignore TMPDIR (a
  // hard-coded /tmp/x) work. What else is in it becomes readable and
  // writable as the user's file modes allow (see docs/namespaceless.md);
  // other users' files keep their modes and the sticky bit. Not when a
  // read-only or hidden path is inside it: Landlock could not keep it so.
  // Each path resolved once for the checks below and the allowlist: the
  // grants and deny-read paths are looked at three times.
  policy::RealPathCache real;
  const bool tmp_writable = TmpCanBeWritable(policy, ws_writable, real);
  if (tmp_writable) {
    grants.push_back({"/tmp", fs::kAll});
  } else {
    plan.notes.push_back(
        "/tmp is not writable: a read-only, deny-read or hidden path of the policy is inside it");
  }
  PlanCacheSettings(policy, grants, plan);
  for (const char* node : kDevNodes) grants.push_back({node, dev});
  // The terminal cordon runs on (the command holds it already): reopening
  // it through /dev/stdout must work. Never all of the host's /dev/pts,
  // whose other terminals belong to the user's other sessions.
  for (int fd = 0; fd <= 2; ++fd) {
    char tty[256];
    if (isatty(fd) && ttyname_r(fd, tty, sizeof(tty)) == 0) grants.push_back({tty, dev});
  }
  // Read only: the host's /proc/sys is writable by uid 0 without any
  // capability. Other users' and host processes' environ, mem and fds are
  // behind ptrace checks, which Landlock denies outside the sandbox; their
  // command lines are not (see Limits). /proc cannot be narrowed to the
  // sandbox's own processes: a rule attaches to an inode, and each
  // /proc/PID is a new one (a rule on /proc/self taken before exec covers
  // the command, not its children), while without its own /proc/PID a
  // process loses ASan and LeakSanitizer, pthread_getattr_np on the main
  // thread, node's process.memoryUsage(), ps, pgrep and pkill.
  grants.push_back({"/proc", fs::kRead});

  // Deny-read paths inside read-only roots are carved out of the
  // allowlist. Inside a writable root that would leave the root unable to
  // create entries, so the run is refused instead, naming the path.
  // Protected paths are not carved out, for the same reason (see Limits).
  std::vector<std::string> writable_roots = {tmpdir};
  if (tmp_writable) writable_roots.push_back("/tmp");
  if (ws_writable) writable_roots.push_back(policy.workspace);
  for (const auto& w : policy.writable) writable_roots.push_back(w.path);
  std::vector<allowlist::Exception> exceptions;
  for (const auto& d : policy.deny_read) {
    const std::string& resolved = real.Get(d.path);
    for (const auto& root : writable_roots) {
      if (!policy::IsWithin(resolved, root) && !policy::IsWithin(d.path, root)) continue;
      Error e = PlainError("deny-read", d.path,
                           "cannot be hidden without user namespaces: it is inside the writable "
                           "root " +
                               root + ", beneath which Landlock cannot take access away (" +
                               d.origin.Describe() + ")");
      e.hint = "move it out of " + root + ", or run where user namespaces work";
      return e;
    }
    exceptions.push_back({d.path, 0, true});
  }
  for (const auto& h : policy.hide) exceptions.push_back({h.path, 0, false});
  auto rules = allowlist::Build(grants, exceptions, allowlist::ListDirectory, &real);
  if (!rules.ok()) return rules.error();
  plan.landlock.paths = std::move(rules).value();

  // Network: Landlock's TCP rules (ABI 4) and seccomp for the rest.
  seccomp::Options sc;
  sc.deny_unix_sockets = true;
  sc.deny_sysv_ipc = true;
  sc.deny_path_metadata = true;
  sc.notify_writes = plan.watch_writes;
  // chmod and utimes beneath the writable roots, done by the supervisor.
  sc.mediate_metadata = true;
  plan.mediation.metadata = true;
  plan.mediation.roots = writable_roots;
  plan.mediation.allow_local.allow_local = policy.net_rules.allow_local;
  if (policy.net != NetMode::kFull) {
    plan.landlock.deny_tcp = true;
    sc.inet_tcp_only = true;
    if (abi < 4) {
      if (policy.net == NetMode::kProxy) {
        return PlainError("landlock", "",
                          "network mode 'proxy' without user namespaces needs Landlock ABI 4 "
                          "(Linux 6.7+) to limit TCP to the proxy; this kernel has ABI " +
                              std::to_string(abi));
      }
      sc.deny_inet = true;  // offline: no TCP without Landlock to stop it
    } else {
      // Loopback servers of the sandbox's own, and allow_local services.
      sc.mediate_inet = true;
      plan.mediation.inet = true;
    }
  }
  plan.landlock.scope_ipc = true;
  if (abi < 6) {
    std::string what = "Landlock ABI " + std::to_string(abi) +
                       " (below 6): without user namespaces, host processes of your user can be "
                       "signalled and abstract unix sockets reached";
    if (!policy.allow_degraded) {
      Error e = PlainError("landlock", "", what);
      e.hint = "Linux 6.12+ has Landlock ABI 6; --allow-degraded runs anyway";
      return e;
    }
    plan.degraded.push_back(std::move(what));
  }
  if (plan.use_seccomp) {
    auto program = seccomp::Compile(sc);
    if (!program.ok()) return program.error();
    plan.seccomp = std::move(program).value();
    // Nested under a filter with a listener: no mediation, so refuse what
    // it would have done (and Landlock alone decides bind and connect).
    seccomp::Options unwatched = sc;
    unwatched.notify_writes = false;
    unwatched.mediate_metadata = false;
    unwatched.mediate_inet = false;
    auto fallback = seccomp::Compile(unwatched);
    if (!fallback.ok()) return fallback.error();
    plan.seccomp_unwatched = std::move(fallback).value();
  } else {
    plan.degraded.push_back(
        "seccomp unavailable: UDP, AF_UNIX and other socket families (vsock, packet, netlink "
        "beyond routes) are not refused");
  }

  SetEnv(plan.envp, "TMPDIR", tmpdir);
  plan.notes.push_back("namespace-less tier (" + plan.tier_reason +
                       "): " + std::to_string(plan.landlock.paths.size()) +
                       " Landlock rules, TMPDIR " + tmpdir);
  return {};
}

}  // namespace cordon::sandbox
