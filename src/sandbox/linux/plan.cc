// Compiles a Policy into the Linux plan: mount operations, Landlock rules,
// the seccomp program, argv and envp; for the namespace-less tier, the same
// plan re-planned by nsless.h. Also -v's description of a plan.
#include "sandbox/linux/plan.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>

#include "policy/env.h"
#include "policy/paths.h"
#include "sandbox/linux/cache_layers.h"
#include "sandbox/linux/dev_nodes.h"
#include "sandbox/linux/nsless.h"
#include "sandbox/linux/placeholders.h"
#include "sandbox/linux/proxy_listener.h"

namespace cordon::sandbox {
namespace {

// The terminal on the command's stdin, stdout or stderr ("/dev/pts/3"), or
// empty.
std::string InheritedTerminal() {
  char name[256];
  for (int fd = 0; fd <= 2; ++fd) {
    if (ttyname_r(fd, name, sizeof name) == 0 && std::string_view(name).starts_with("/dev/") &&
        std::string_view(name) != "/dev/tty") {
      return name;
    }
  }
  return {};
}

namespace fs = landlock::fs;
using policy::Mode;
using policy::NetMode;
using policy::Policy;

using policy::IsWithin;

bool IsStrictlyUnder(const std::string& path, const std::string& root) {
  return path != root && IsWithin(path, root);
}

std::optional<struct stat> Lstat(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return std::nullopt;
  return st;
}

std::optional<struct stat> Stat(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return std::nullopt;
  return st;
}

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// The builder of the mount plan: keeps covers and binds in one place so each
// new path can ask which operation encloses it.
class ViewBuilder {
 public:
  // A cover inside a read-only cover adds nothing (it is empty already)
  // unless asked to (/dev/shm); inside a writable one (the home under /tmp)
  // it must stay, or the writable cover would let the command write where
  // the policy hides.
  void Cover(std::string path, std::string options, unsigned long flags, bool read_only,
             bool keep_nested = false) {
    for (const auto& c : plan_.covers) {
      if (IsWithin(path, c.path) && c.read_only && !keep_nested) return;
    }
    mount_view::Cover cover{std::move(path), std::move(options), flags, read_only, false};
    plan_.covers.push_back(std::move(cover));
  }

  void Bind(const std::string& path, bool read_only) {
    auto st = Stat(path);
    if (!st) return;
    for (auto& b : plan_.binds) {
      if (b.path == path) {
        b.read_only = b.read_only && read_only;
        return;
      }
    }
    plan_.binds.push_back({path, read_only, S_ISDIR(st->st_mode), false, {}});
  }

  // `source` (a host file) shown at `path` instead of its own path.
  void BindAs(const std::string& source, const std::string& path, bool read_only) {
    auto st = Stat(source);
    if (!st) return;
    plan_.binds.push_back({path, read_only, S_ISDIR(st->st_mode), false, source});
  }

  // Sorts parent-first and marks the operations that need a mountpoint
  // created inside a cover.
  mount_view::Plan Finish() {
    auto by_path = [](const auto& a, const auto& b) { return a.path < b.path; };
    std::sort(plan_.covers.begin(), plan_.covers.end(), by_path);
    std::sort(plan_.binds.begin(), plan_.binds.end(), by_path);
    for (auto& c : plan_.covers) c.make_mountpoint = EnclosingIsCover(c.path);
    for (auto& b : plan_.binds) b.make_mountpoint = EnclosingIsCover(b.path);
    return std::move(plan_);
  }

  // True when the innermost cover or bind strictly above `path` is a cover.
  [[nodiscard]] bool EnclosingIsCover(const std::string& path) const {
    return InnermostIsCover(path, true);
  }

  // True when `path` is inside (or is) a cover and no bind brings it back.
  [[nodiscard]] bool Hidden(const std::string& path) const { return InnermostIsCover(path, false); }

  mount_view::Plan& plan() { return plan_; }

 private:
  // Among the covers and binds at or above `path` (strictly above when
  // `strict`), is the innermost one a cover? Binds are attached after covers,
  // so a bind wins a tie.
  [[nodiscard]] bool InnermostIsCover(const std::string& path, bool strict) const {
    auto above = [&](const std::string& root) {
      return strict ? IsStrictlyUnder(path, root) : IsWithin(path, root);
    };
    size_t best = 0;
    bool is_cover = false;
    for (const auto& c : plan_.covers) {
      if (above(c.path) && c.path.size() > best) {
        best = c.path.size();
        is_cover = true;
      }
    }
    for (const auto& b : plan_.binds) {
      if (above(b.path) && b.path.size() >= best) {
        best = b.path.size();
        is_cover = false;
      }
    }
    return is_cover;
  }

  mount_view::Plan plan_;
};

// Pins every directory between the writable root and `target` (a mount
// point cannot be renamed or removed), so the sandbox cannot move a parent
// away and plant a fresh one.
void PinParents(const std::string& target, const std::string& root, mount_view::Plan& view) {
  for (std::string dir = Parent(target); IsStrictlyUnder(dir, root); dir = Parent(dir)) {
    if (std::find(view.pins.begin(), view.pins.end(), dir) == view.pins.end()) {
      view.pins.push_back(dir);
    }
  }
}

struct ProtectTarget {
  std::string path;
  bool is_dir;  // what to stand in with when it is missing
  std::string why;
};

// Inside a git directory, where git lists nothing: a placeholder there is
// invisible to git (and to the tools that follow .gitignore-style rules).
// Looks no higher than `root`, the writable root that holds the path.
bool InGitDir(const std::string& path, const std::string& root, const Policy& policy,
              std::map<std::string, bool>* git_dirs) {
  if (path.ends_with("/.git") || path.find("/.git/") != std::string::npos) return true;
  if (std::any_of(policy.git_dirs.begin(), policy.git_dirs.end(),
                  [&](const std::string& g) { return IsWithin(path, g); })) {
    return true;
  }
  // A git dir under another name (--separate-git-dir, a bare repository's
  // worktrees/NAME): HEAD beside objects/ or a commondir file.
  // Every protected path asks about the same few directories: each is
  // looked at once (`git_dirs`).
  for (std::string dir = Parent(path); dir != "/" && IsWithin(dir, root); dir = Parent(dir)) {
    auto [it, fresh] = git_dirs->try_emplace(dir, false);
    if (fresh) {
      auto head = Lstat(dir + "/HEAD");
      it->second =
          head && S_ISREG(head->st_mode) && (Lstat(dir + "/objects") || Lstat(dir + "/commondir"));
    }
    if (it->second) return true;
  }
  return false;
}

std::string WhyProtected(const policy::PathRule& rule) {
  if (!rule.origin.note.empty()) return rule.origin.note;
  return rule.origin.Describe();
}

void PlanProtects(const Policy& policy, std::vector<std::string> writable_roots, Plan& plan) {
  // Targets are compared with the roots as the kernel sees them.
  for (std::string& w : writable_roots) w = policy::RealPath(w).value_or(w);
  mount_view::Plan& view = plan.mounts;
  std::vector<ProtectTarget> targets;
  // Without a repository, the workspace's .git itself is protected: a .git
  // planted by the sandbox would run its hooks on the host's next git call.
  // (git init of a repository below the workspace still works.)
  std::string ws_git = policy.workspace + "/.git";
  // A placeholder .git (another run's, or left by a killed one) is no
  // repository either: this run shares it.
  const bool no_repo = !Lstat(ws_git) || IsPlaceholder(ws_git);
  if (no_repo) {
    targets.push_back(
        {ws_git, true,
         "no repository here: a .git the command made would run its hooks on the host"});
    for (std::string dir = Parent(policy.workspace); dir != "/"; dir = Parent(dir)) {
      if (Lstat(dir + "/.git")) {
        std::string note = "the workspace is inside the repository " + dir;
        note += ", which the sandbox cannot see: git there needs --workspace ";
        note += dir;
        plan.notes.push_back(std::move(note));
        break;
      }
    }
  }
  // The policy lists the hooks and config of the workspace's repository,
  // and of the git dir a .git file (worktree, submodule) points to.
  for (const auto& rule : policy.protect) {
    targets.push_back(
        {rule.path, rule.is_dir || rule.path.ends_with("/hooks"), WhyProtected(rule)});
  }
  std::map<std::string, std::optional<std::string>> real_parents;
  std::map<std::string, bool> git_dirs;
  for (const ProtectTarget& t : targets) {
    // Where the path really is: a parent the sandbox replaced by a symlink
    // (WS/sub -> ~/.config) must not lead the supervisor, which makes the
    // placeholders, outside the writable roots.
    const std::string target = policy::InRealParent(t.path, &real_parents);
    auto root = std::find_if(writable_roots.begin(), writable_roots.end(),
                             [&](const auto& w) { return IsStrictlyUnder(target, w); });
    if (root == writable_roots.end()) continue;  // not writable anyway
    // Inside a placeholder directory (.git/hooks of a placeholder .git):
    // the read-only placeholder covers it already, and a nested one would
    // keep the parent from being removed by the run that holds it.
    if (target != ws_git && no_repo && IsStrictlyUnder(target, ws_git)) continue;
    const std::string_view content = target.ends_with("/commondir") ? kSameDir : "";
    const bool exists = Lstat(target).has_value();
    if (exists && IsPlaceholder(target)) {
      // Left by a run whose supervisor was killed (or by a cordon that made
      // placeholders in the work tree too): adopt it, remove it after.
      plan.placeholders.push_back({target, t.is_dir, content, t.why});
    } else if (!exists) {
      if (!InGitDir(target, *root, policy, &git_dirs)) {
        // In the work tree: no placeholder, which git would list; what the
        // command creates there is moved out after the run.
        if (std::find_if(plan.watched.begin(), plan.watched.end(),
                         [&](const auto& w) { return w.path == target; }) == plan.watched.end()) {
          plan.watched.push_back({target, t.why});
        }
        continue;
      }
      if (!Stat(Parent(target))) continue;  // e.g. .git/hooks without a .git
      plan.placeholders.push_back({target, t.is_dir, content, t.why});
    }
    PinParents(target, *root, view);
    if (std::find(view.protects.begin(), view.protects.end(), target) == view.protects.end()) {
      view.protects.push_back(target);
    }
  }
  // A deny-read cover moves with its parent: pin the parents of every one
  // inside a writable root, or a run could rename the parent away and the
  // next run would see the path uncovered.
  for (const mount_view::Hide& hide : view.hides) {
    auto root = std::find_if(writable_roots.begin(), writable_roots.end(),
                             [&](const auto& w) { return IsStrictlyUnder(hide.path, w); });
    if (root != writable_roots.end()) PinParents(hide.path, *root, view);
  }
  // Parents first, so a pin never clones a protect made before it.
  std::sort(view.pins.begin(), view.pins.end());
  std::sort(view.protects.begin(), view.protects.end());
}

// Package caches (docs/caches.md): an overlay of each real cache and its
// layer. Where the tool has no cache yet, a symlink in the home's cover
// leads to the layer, and the workspace's layers are bound back once: one
// mount in all, so that a home without caches starts as fast as before.
// Nothing is made for a missing cache outside a cover (inside ~/go, bound
// read-only).
void PlanCaches(const Policy& policy, ViewBuilder& view, Plan& plan) {
  std::vector<mount_view::Overlay>& overlays = plan.mounts.overlays;
  std::vector<mount_view::CacheLink>& links = plan.mounts.cache_links;
  for (const policy::CacheLayer& c : policy.caches) {
    // overlayfs's option syntax splits at these.
    if (c.path.find_first_of(":,\\") != std::string::npos ||
        c.layer.find_first_of(":,\\") != std::string::npos) {
      plan.notes.push_back("cache " + c.path + " is not layered: its path holds ':' ',' or '\\'");
      continue;
    }
    auto st = Stat(c.path);
    const bool exists = st && S_ISDIR(st->st_mode);
    if (!exists && (st || Lstat(c.path) || !view.EnclosingIsCover(c.path))) continue;
    Status made = cache_layers::Prepare(policy.cache_layers, c.layer, exists);
    if (!made.ok()) {
      plan.notes.push_back("cache " + c.path + " is not layered: " + made.error().Describe());
      continue;
    }
    if (exists) {
      mount_view::Overlay overlay{c.path, c.path, c.layer + "/upper", c.layer + "/work",
                                  view.EnclosingIsCover(c.path)};
      if (UniqueFd lock = cache_layers::TryLock(c.layer); lock.valid()) {
        if (!plan.cache_locks) plan.cache_locks = std::make_shared<std::vector<UniqueFd>>();
        plan.cache_locks->push_back(std::move(lock));
      } else {
        overlay.ephemeral = true;
        plan.notes.push_back("cache " + c.path +
                             ": another run in this workspace has its layer; this run's "
                             "writes to it go to a private tmpfs and are gone at its end");
      }
      overlays.push_back(std::move(overlay));
    } else {
      links.push_back({c.path, c.layer + "/upper"});
    }
  }
  if (!links.empty()) view.Bind(policy.cache_layers, false);
  std::sort(overlays.begin(), overlays.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
}

// `in_view`: the paths are those of the mount view (/tmp, /dev private);
// without one, they are the host's own.
void PlanLandlock(const Policy& policy, bool in_view, bool home_covered,
                  const mount_view::Plan& view, landlock::Rules& rules) {
  const bool ws_writable = policy.mode != Mode::kReadOnly;
  for (const auto& r : policy.system_read) rules.paths.push_back({r.path, fs::kRead});
  for (const auto& r : policy.read) rules.paths.push_back({r.path, fs::kRead});
  rules.paths.push_back({policy.workspace, ws_writable ? fs::kAll : fs::kRead});
  for (const auto& r : policy.writable) rules.paths.push_back({r.path, fs::kAll});
  if (home_covered) rules.paths.push_back({policy.home, fs::kRead});
  for (const auto& o : view.overlays) rules.paths.push_back({o.path, fs::kAll});
  if (!view.cache_links.empty()) rules.paths.push_back({policy.cache_layers, fs::kAll});
  const uint64_t dev = kDevAccess;
  if (in_view) {
    rules.paths.push_back({"/tmp", fs::kAll});
    rules.paths.push_back({"/dev", dev});
    rules.paths.push_back({"/dev/shm", fs::kAll});
    rules.paths.push_back({"/proc", fs::kRead | fs::kWriteFile});
    rules.extra_access = fs::kReadFile | fs::kWriteFile | fs::kIoctlDev;
  } else {
    for (const char* node : kDevNodes) rules.paths.push_back({node, dev});
    rules.paths.push_back({"/proc", fs::kRead | fs::kWriteFile});
  }
  // No TCP rules: this tier always has a network namespace unless --net
  // full, and the sandbox's own loopback must work in it (a test suite's
  // servers); the namespace holds nothing else to reach.
  rules.deny_tcp = false;
  rules.scope_ipc = true;
}

// The namespace tier's plan, re-planned for the namespace-less tier: a
// private TMPDIR and, for --net proxy, a listener on the host's loopback
// that Landlock lets the command connect to (and nothing else).
Status ToNamespaceless(const Policy& policy, const std::string& reason, Plan& plan) {
  auto host = std::make_shared<HostScratch>();
  auto tmp = PrivateTmp::Create();
  if (!tmp.ok()) return tmp.error();
  host->tmp = std::move(tmp).value();
  CORDON_RETURN_IF_ERROR(PlanNamespaceless(policy, host->tmp.path(), reason, plan));
  // The host's loopback is the sandbox's here: no listener can stand in
  // for a service at its own address (nsless.h says how this tier reaches
  // allow_local services).
  plan.relays.clear();
  if (plan.proxy) {
    uint16_t port = 0;
    auto listener = proxy_listener::CreateOnHost(&port);
    if (!listener.ok()) return listener.error();
    host->listener = std::move(listener).value();
    plan.landlock.allow_connect_port = port;
    plan.mediation.proxy_port = port;
    policy::SetProxyEnvironment(plan.envp, port);
  }
  plan.host = std::move(host);
  // No mount view: a placeholder would protect nothing (it stays
  // writable), so none is made; what the command creates under a missing
  // protected name is moved out after the run instead. WS/.git is left to
  // the command: `git init` of the workspace is its output here.
  const std::string ws_git = policy.workspace + "/.git";
  for (const PlaceholderSpec& p : plan.placeholders) {
    if (p.path != ws_git && !IsPlaceholder(p.path)) plan.watched.push_back({p.path, p.why});
  }
  plan.placeholders.clear();
  return {};
}

// The plan for the namespace tier (the namespace-less one starts from it).
Result<Plan> CompileNamespaces(const Policy& policy, const CompileInputs& inputs) {
  Plan plan;
  plan.argv = inputs.argv;
  plan.envp = policy::BuildEnvironment(policy, inputs.environ);
  plan.workspace = policy.workspace;
  plan.cwd = policy.cwd.empty() ? policy.workspace : policy.cwd;
  plan.allow_degraded = policy.allow_degraded;
  if (policy.mode == Mode::kFullAccess) {
    policy::AddVariables(plan.envp, inputs.extra_env);
    plan.tier = Tier::kUnconfined;
    return plan;
  }
  if (policy.net == NetMode::kProxy) {
    plan.proxy = true;
    policy::SetProxyEnvironment(plan.envp, proxy_listener::kPort);
  }
  policy::AddVariables(plan.envp, inputs.extra_env);

  plan.clone_flags = namespaces::kAll;
  if (policy.net == NetMode::kFull) {
    plan.clone_flags &= ~static_cast<unsigned long>(CLONE_NEWNET);
    plan.notes.push_back(
        "danger: --net full shares the host's network, its loopback services included (host "
        "unix sockets stay out of reach)");
  }
  plan.id_maps = namespaces::CurrentIdMaps();
  if (plan.clone_flags & CLONE_NEWNET) {
    plan.relays = PlanLocalRelays(policy.net_rules, plan.proxy, &plan.notes);
  }

  // The mount view.
  ViewBuilder view;
  const bool ws_writable = policy.mode != Mode::kReadOnly;
  view.Cover("/dev", "mode=0755,size=64k", MS_NOSUID | MS_NOEXEC, true);
  // With a tmp size, /tmp and /dev/shm are one tmpfs of that size.
  const int64_t tmp_size = policy.limits.tmp_bytes;
  const std::string tmp_options =
      "mode=1777" + (tmp_size > 0 ? ",size=" + std::to_string(tmp_size) : std::string());
  view.Cover("/dev/shm", tmp_options, MS_NOSUID | MS_NODEV, false, true);
  view.Cover("/tmp", tmp_options, MS_NOSUID | MS_NODEV, false);
  for (auto& c : view.plan().covers) {
    c.shared = tmp_size > 0 && (c.path == "/tmp" || c.path == "/dev/shm");
  }
  const bool home_covered = !policy.home.empty() && policy.home != "/" &&
                            !IsWithin(policy.home, policy.workspace) && Stat(policy.home);
  if (home_covered) view.Cover(policy.home, "mode=0755,size=64k", MS_NOSUID | MS_NODEV, true);
  for (const auto& h : policy.hide) {
    auto st = Lstat(h.path);
    if (st && S_ISDIR(st->st_mode)) {
      view.Cover(h.path, "mode=0755,size=4k", MS_NOSUID | MS_NODEV | MS_NOEXEC, true);
    }
  }
  for (const char* node : kDevNodes) view.Bind(node, true);
  // The terminal the command inherits lives in the host's devpts, which the
  // view does not show: bound into /dev under its name flattened
  // (/dev/pts/3 -> /dev/pts-3), `tty` and ttyname(3) find it there by its
  // device number. Only a name: the command holds the fd already, and
  // Landlock grants no open through this path.
  if (std::string tty = InheritedTerminal(); !tty.empty()) {
    std::string name = tty.substr(std::string("/dev/").size());
    std::replace(name.begin(), name.end(), '/', '-');
    view.BindAs(tty, "/dev/" + name, false);
  }
  std::vector<std::string> writable_roots;
  view.Bind(policy.workspace, !ws_writable);
  if (ws_writable) writable_roots.push_back(policy.workspace);
  for (const auto& w : policy.writable) {
    view.Bind(w.path, false);
    writable_roots.push_back(w.path);
  }
  for (const auto& r : policy.read) {
    // Visible paths stay read-only through the root's flip; bind only those
    // inside a cover or a writable root.
    bool in_writable = std::any_of(writable_roots.begin(), writable_roots.end(),
                                   [&](const auto& w) { return IsWithin(r.path, w); });
    if (view.Hidden(r.path) || in_writable) view.Bind(r.path, true);
  }
  for (const auto& d : policy.deny_read) {
    auto st = Lstat(d.path);
    if (!st) continue;
    std::string target = S_ISLNK(st->st_mode) ? policy::RealPath(d.path).value_or(d.path) : d.path;
    st = Stat(target);
    if (!st || view.Hidden(target)) continue;
    view.plan().hides.push_back({target, S_ISDIR(st->st_mode)});
  }
  PlanCaches(policy, view, plan);
  {
    mount_view::Plan caches = std::move(plan.mounts);
    plan.mounts = view.Finish();
    plan.mounts.overlays = std::move(caches.overlays);
    plan.mounts.cache_links = std::move(caches.cache_links);
  }
  PlanProtects(policy, writable_roots, plan);

  // Landlock beneath the view.
  plan.landlock.abi = landlock::Probe();
  if (plan.landlock.abi == 0) {
    if (!policy.allow_degraded) {
      Error e = PlainError("landlock", "", "Landlock is not available in this kernel");
      e.hint =
          "cordon needs Landlock (Linux 5.13+, CONFIG_SECURITY_LANDLOCK=y, 'landlock' in the "
          "lsm= boot parameter). Or run with --allow-degraded to rely on the mount view alone.";
      return e;
    }
    plan.use_landlock = false;
    plan.degraded.push_back(
        "Landlock unavailable: reads outside the home are not restricted (only the mount view "
        "hides paths)");
  } else {
    PlanLandlock(policy, true, home_covered, plan.mounts, plan.landlock);
    if (plan.landlock.abi < 6) {
      plan.notes.push_back("Landlock ABI " + std::to_string(plan.landlock.abi) +
                           ": signal and abstract-socket scoping rely on the namespaces");
    }
  }

  plan.watch_writes = policy.approval == policy::Approval::kOnFailure;
  seccomp::Options sc;
  sc.notify_writes = plan.watch_writes;
  auto program = seccomp::Compile(sc);
  if (program.ok()) {
    plan.seccomp = std::move(program).value();
  } else if (policy.allow_degraded) {
    plan.use_seccomp = false;
    plan.degraded.push_back("seccomp unavailable (" + program.error().Describe() +
                            "): keyrings, bpf, perf_event_open, userfaultfd, io_uring, TIOCSTI, "
                            "new namespaces and socket families beyond unix, inet and netlink "
                            "routes are not blocked");
  } else {
    Error e = program.error();
    e.hint =
        "cordon needs seccomp filters (CONFIG_SECCOMP_FILTER, Linux 4.14+). Or run with "
        "--allow-degraded to confine without them.";
    return e;
  }
  return plan;
}

}  // namespace

// The namespace tier's plan (CompileNamespaces), made for inputs.tier.
Result<Plan> ForTier(const Policy& policy, const CompileInputs& inputs, Plan plan) {
  if (plan.tier != Tier::kUnconfined && inputs.tier == Tier::kNamespaceless) {
    CORDON_RETURN_IF_ERROR(ToNamespaceless(policy, inputs.tier_reason, plan));
  }
  plan.limits_degraded_at = plan.degraded.size();
  plan.limits_notes_at = plan.notes.size();
  CORDON_RETURN_IF_ERROR(
      limits::PlanRun(policy, plan.tier, &plan.limits, &plan.degraded, &plan.notes));
  return plan;
}

Result<Plan> Compile(const Policy& policy, const CompileInputs& inputs) {
  auto compiled = CompileNamespaces(policy, inputs);
  if (!compiled.ok()) return compiled;
  return ForTier(policy, inputs, std::move(compiled).value());
}

Result<Plan> Replan(const Policy& policy, const CompileInputs& inputs, Plan refused) {
  if (refused.tier != Tier::kNamespaces) return Compile(policy, inputs);
  // Back to what CompileNamespaces made: the limits are planned per tier.
  refused.limits = limits::Plan();
  refused.degraded.resize(refused.limits_degraded_at);
  refused.notes.resize(refused.limits_notes_at);
  return ForTier(policy, inputs, std::move(refused));
}

const char* TierName(Tier tier) {
  switch (tier) {
    case Tier::kNamespaces:
      return "namespaces";
    case Tier::kNamespaceless:
      return "namespace-less";
    case Tier::kUnconfined:
      return "unconfined";
  }
  return "?";
}

std::vector<std::string> DescribePlan(const Plan& plan) {
  std::vector<std::string> lines;
  if (plan.tier == Tier::kUnconfined) return lines;
  const auto& m = plan.mounts;
  char summary[512];
  std::snprintf(summary, sizeof(summary),
                "namespaces user mount pid ipc uts cgroup%s; mount view: %zu covers, %zu binds, "
                "%zu hidden, %zu protected (%zu placeholders); landlock ABI %d with %zu rules%s; "
                "seccomp %zu instructions",
                (plan.clone_flags & CLONE_NEWNET) ? " net" : " (host network)", m.covers.size(),
                m.binds.size(), m.hides.size(), m.protects.size(), plan.placeholders.size(),
                plan.use_landlock ? plan.landlock.abi : 0, plan.landlock.paths.size(),
                plan.landlock.deny_tcp ? ", TCP denied" : "", plan.seccomp.size());
  lines.emplace_back(summary);
  for (const auto& h : m.hides) lines.push_back("hidden: " + h.path);
  for (const auto& p : m.protects) lines.push_back("protected: " + p);
  for (const auto& r : plan.relays) {
    lines.push_back("relayed to the host's service: " + policy::HostPort(r.host, r.port) + " at " +
                    r.what);
  }
  for (const auto& o : m.overlays) {
    lines.push_back("cache layer: " + o.path + " -> " +
                    (o.ephemeral ? "a private tmpfs (the layer is in use)" : o.upper));
  }
  for (const auto& l : m.cache_links) {
    lines.push_back("cache layer: " + l.path + " (new) -> " + l.target);
  }
  for (const auto& note : plan.notes) lines.push_back("note: " + note);
  return lines;
}

}  // namespace cordon::sandbox
