// Policy resolution: defaults, user file, project file, flags -> Policy.
//
// The steps, in order: find the host facts and the workspace; read the user
// file and decide whether the workspace is trusted; build the defaults for
// that workspace; apply the user file (widens), the project file (narrows,
// or widens when trusted), the flags (widen); then the final pass, where
// deny_read beats every read and writable rule and duplicates go.
#include "policy/loader.h"

#include <algorithm>
#include <exception>
#include <set>
#include <tuple>
#include <unordered_map>

#include "policy/caches.h"
#include "policy/config_file.h"
#include "policy/defaults.h"
#include "policy/env.h"
#include "policy/git_surface.h"
#include "policy/host_fs.h"
#include "policy/limits.h"
#include "policy/names.h"
#include "policy/net_rules.h"
#include "policy/paths.h"

namespace cordon::policy {

namespace {

bool IsDir(const std::string& path) {
  return host_fs::KindFollowing(path) == host_fs::Kind::kDirectory;
}

// True when `path` (or what it resolves to) equals or lies inside `parent`
// (or what it resolves to): a symlink must not smuggle a path out of a rule.
bool IsWithinResolved(const std::string& path, const std::string& parent, RealPathCache& real) {
  if (IsWithin(path, parent)) {
    return true;
  }
  return IsWithin(real.Get(path), real.Get(parent));
}

// Why `path` may not be writable (or the workspace), or empty when it may.
std::string ForbiddenRootReason(const std::string& path, const HostFacts& host) {
  const std::string& home = host.home;
  std::optional<std::string> real = RealPath(path);
  for (const std::string& p : {path, real.value_or(path)}) {
    if (IsRootPath(p)) {
      return "the root directory can never be writable";
    }
    if (IsSystemRoot(p)) {
      return p + " is a system directory";
    }
    if (IsWithin(home, p)) {
      return p == home ? "the home directory itself can never be writable (its startup files run "
                         "on the host)"
                       : p + " contains the home directory";
    }
    // cordon's own config and state (vault, key, events): a sandbox that
    // could write an ancestor could rename it away and plant its own, which
    // a later run would trust, whether or not it exists yet.
    for (const std::string& own :
         {host.xdg_config_home + "/cordon", host.xdg_state_home + "/cordon"}) {
      if (IsWithin(own, p) || IsWithin(p, own)) {
        std::string why = p;
        why += IsWithin(p, own) ? " is inside" : " contains";
        why += own.starts_with(host.xdg_config_home + "/") ? " cordon's own config ("
                                                           : " cordon's own state (";
        why += own;
        why += "), which no sandbox may write; name a directory beside it instead";
        return why;
      }
    }
  }
  return {};
}

template <typename Rule, typename Key>
void DedupeBy(std::vector<Rule>* rules, Key key) {
  std::set<std::string> seen;
  rules->erase(std::remove_if(rules->begin(), rules->end(),
                              [&](const Rule& r) { return !seen.insert(key(r)).second; }),
               rules->end());
}

class Resolver {
 public:
  Resolver(const Overrides& overrides, const HostFacts& host)
      : overrides_(overrides), host_(Normalized(host)) {}

  Result<Policy> Run() {
    if (!IsAbsolutePath(host_.home)) {
      return PlainError("policy", "HOME", "the home directory must be an absolute path");
    }
    if (!IsAbsolutePath(host_.cwd)) {
      return PlainError("policy", "cwd", "the current directory must be an absolute path");
    }
    auto ws = ResolveWorkspace();
    if (!ws.ok()) {
      return ws.error();
    }
    policy_ = DefaultPolicy(host_, ws.value());
    policy_.workspace_reason = workspace_reason_;
    // A git dir outside the workspace may be writable only where any
    // writable root may be.
    std::erase_if(policy_.git_dirs,
                  [&](const std::string& d) { return !ForbiddenRootReason(d, host_).empty(); });
    std::erase_if(policy_.writable, [&](const PathRule& w) {
      return w.origin.kind == Origin::Kind::kBuiltin &&
             std::find(policy_.git_dirs.begin(), policy_.git_dirs.end(), w.path) ==
                 policy_.git_dirs.end();
    });
    // The command starts where the user is, when the sandbox can see it.
    const std::string here = RealPath(host_.cwd).value_or(host_.cwd);
    policy_.cwd = IsWithin(here, policy_.workspace) ? here : policy_.workspace;

    std::optional<ConfigLayer> user, project;
    if (!overrides_.no_config) {
      CORDON_RETURN_IF_ERROR(LoadUser(&user));
      const std::string project_path = policy_.workspace + "/.cordon.toml";
      auto loaded = LoadConfigFile(project_path, ConfigKind::kProject, /*must_exist=*/false);
      if (!loaded.ok()) {
        return loaded.error();
      }
      project = std::move(loaded).value();
    }
    if (user) {
      policy_.sources.push_back(user->file);
      CORDON_RETURN_IF_ERROR(DecideTrust(*user));
      CORDON_RETURN_IF_ERROR(ApplyWidening(*user));
      if (user->telemetry_endpoint) policy_.telemetry_endpoint = user->telemetry_endpoint->value;
      if (user->keep_days) policy_.keep_days = *user->keep_days;
    }
    if (project) {
      policy_.sources.push_back(project->file);
      CORDON_RETURN_IF_ERROR(policy_.project_trusted ? ApplyWidening(*project)
                                                     : ApplyNarrowing(*project));
    }
    CORDON_RETURN_IF_ERROR(ApplyWidening(overrides_.flags));
    CORDON_RETURN_IF_ERROR(ApplyFlagExtras(overrides_.flags));
    CORDON_RETURN_IF_ERROR(Finish());
    return std::move(policy_);
  }

 private:
  // The workspace: --workspace, else the top level of the git work tree
  // holding the current directory, else the current directory. Sets
  // policy_.workspace_reason (for policy show and -v).
  Result<std::string> ResolveWorkspace() {
    std::string path = host_.cwd;
    workspace_reason_ = "current directory";
    if (overrides_.workspace) {
      auto expanded = ExpandPath(*overrides_.workspace, host_.home, host_.cwd, "--workspace");
      if (!expanded.ok()) {
        return expanded.error();
      }
      path = expanded.value();
      workspace_reason_ = "--workspace";
    } else if (std::optional<std::string> top = GitTopLevel(host_.cwd, host_.home)) {
      // A top level cordon refuses (a repository at / or in a system
      // directory) leaves the current directory as the workspace.
      if (ForbiddenRootReason(*top, host_).empty()) {
        path = *top;
        workspace_reason_ = "git work tree top level of " + host_.cwd;
      }
    }
    if (!Exists(path)) {
      return PlainError("workspace", path, "does not exist");
    }
    if (!IsDir(path)) {
      return PlainError("workspace", path, "is not a directory");
    }
    std::optional<std::string> real = RealPath(path);
    if (!real) {
      return PlainError("workspace", path, "cannot be resolved (realpath failed)");
    }
    std::string reason = ForbiddenRootReason(*real, host_);
    if (!reason.empty()) {
      Error e = PlainError("workspace", *real, "refusing this workspace: " + reason);
      e.hint = "run cordon from a project directory, or pass --workspace DIR";
      return e;
    }
    return *real;
  }

  std::string UserFilePath() const {
    if (overrides_.config_file) {
      auto p = ExpandPath(*overrides_.config_file, host_.home, host_.cwd, "--config");
      return p.ok() ? p.value() : *overrides_.config_file;
    }
    return NormalizePath(host_.xdg_config_home + "/cordon/config.toml");
  }

  Status LoadUser(std::optional<ConfigLayer>* user) {
    if (overrides_.config_file) {
      auto path = ExpandPath(*overrides_.config_file, host_.home, host_.cwd, "--config");
      if (!path.ok()) {
        return path.error();
      }
      auto loaded = LoadConfigFile(path.value(), ConfigKind::kUser, /*must_exist=*/true);
      if (!loaded.ok()) {
        return loaded.error();
      }
      *user = std::move(loaded).value();
      return {};
    }
    auto loaded = LoadConfigFile(UserFilePath(), ConfigKind::kUser, /*must_exist=*/false);
    if (!loaded.ok()) {
      return loaded.error();
    }
    *user = std::move(loaded).value();
    return {};
  }

  Status DecideTrust(const ConfigLayer& user) {
    bool trusted = false, distrusted = false;
    for (const WorkspaceTrust& entry : user.workspaces) {
      if (!IsAbsolutePath(entry.path) && entry.path.front() != '~') {
        return PlainError("config", entry.origin.Describe(),
                          "workspaces: '" + entry.path + "' must be absolute or start with ~");
      }
      auto path = ExpandPath(entry.path, host_.home, "/", entry.origin.Describe());
      if (!path.ok()) {
        return path.error();
      }
      std::string key = RealPath(path.value()).value_or(path.value());
      if (key != policy_.workspace) {
        continue;
      }
      // Entries that name the same workspace through different spellings
      // may disagree: distrust wins (TOML tables have no order to rely on).
      if (!entry.trusted) {
        distrusted = true;
      }
      trusted |= entry.trusted;
    }
    policy_.project_trusted = trusted && !distrusted;
    return {};
  }

  // Expands a layer's path: a config file's is relative to the workspace,
  // a flag's to the current directory.
  Result<std::string> ConfigPath(const ConfigString& s) const {
    if (s.origin.kind == Origin::Kind::kFlag) {
      return ExpandPath(s.value, host_.home, host_.cwd, s.origin.flag);
    }
    return ExpandPath(s.value, host_.home, policy_.workspace, s.origin.Describe());
  }

  // `existing_only`: a missing path is skipped in a config file (one user
  // file serves several machines) and an error for a flag (a typo).
  // `key` names the config key in what policy show lists as skipped.
  Status AddPaths(const std::vector<ConfigString>& in, std::vector<PathRule>* out,
                  bool existing_only, const char* key = "") {
    for (const ConfigString& s : in) {
      auto path = ConfigPath(s);
      if (!path.ok()) {
        return path.error();
      }
      if (existing_only && !Exists(path.value())) {
        if (s.origin.kind == Origin::Kind::kFlag) {
          return PlainError(s.origin.flag, s.value, path.value() + " does not exist");
        }
        policy_.skipped.push_back(SkippedPath{path.value(), key, s.origin, "does not exist"});
        continue;
      }
      out->push_back(PathRule{path.value(), s.origin});
    }
    return {};
  }

  Status CheckWritable(const PathRule& rule) const {
    std::string reason = ForbiddenRootReason(rule.path, host_);
    if (reason.empty()) {
      return {};
    }
    return PlainError(rule.origin.kind == Origin::Kind::kFlag ? rule.origin.flag : "config",
                      rule.origin.kind == Origin::Kind::kFlag ? rule.path : rule.origin.Describe(),
                      "refusing writable root " + rule.path + ": " + reason);
  }

  // Stricter in every layer: a project file may set it too.
  void ApplyRequireNamespaces(const ConfigLayer& layer) {
    if (layer.require_namespaces && *layer.require_namespaces) {
      policy_.require_namespaces = true;
      policy_.require_namespaces_origin = layer.require_namespaces_origin;
    }
  }

  // The user file, or a trusted project file: the approval policy and the
  // timeout replace, trusted commands append.
  void ApplyApprovalWidening(const ConfigLayer& layer) {
    if (layer.approval) {
      policy_.approval = *layer.approval;
      policy_.approval_origin = layer.approval_origin;
    }
    if (layer.approval_timeout) policy_.approval_timeout_seconds = *layer.approval_timeout;
    for (const ConfigString& s : layer.trusted_commands)
      policy_.trusted_commands.push_back(s.value);
  }

  // A project file may only make approvals stricter (approval.h,
  // Strictness), shorten the timeout (no answer denies), and trust nothing.
  Status ApplyApprovalNarrowing(const ConfigLayer& layer) {
    if (layer.approval) {
      if (Strictness(*layer.approval) < Strictness(policy_.approval)) {
        return Widens(layer.approval_origin,
                      std::string("approval '") + ApprovalName(*layer.approval) +
                          "' is looser than '" + ApprovalName(policy_.approval) + "'");
      }
      policy_.approval = *layer.approval;
      policy_.approval_origin = layer.approval_origin;
    }
    if (layer.approval_timeout) {
      policy_.approval_timeout_seconds =
          std::min(policy_.approval_timeout_seconds, *layer.approval_timeout);
    }
    if (!layer.trusted_commands.empty()) {
      return Widens(layer.trusted_commands.front().origin,
                    "trusted_commands lets commands run without approval");
    }
    return {};
  }

  // The user file, a trusted project file or a flag: a limit replaces the
  // one below, whether it raises, lowers or lifts it.
  void ApplyLimits(const ConfigLayer& layer) {
    for (const LimitSpec& spec : kLimitSpecs) {
      if (const auto& set = layer.limits[Index(spec.kind)]) {
        LimitValue(policy_.limits, spec.kind) = set->value;
        LimitOrigin(policy_.limits, spec.kind) = set->origin;
      }
    }
  }

  // An untrusted project file may lower a limit, never raise or lift it:
  // a repository must not decide that its build may take the machine.
  Status ApplyLimitsNarrowing(const ConfigLayer& layer) {
    for (const LimitSpec& spec : kLimitSpecs) {
      const auto& set = layer.limits[Index(spec.kind)];
      if (!set) continue;
      const int64_t now = LimitValue(policy_.limits, spec.kind);
      if (set->value == 0 ? now != 0 : now != 0 && set->value > now) {
        const std::string what = set->value == 0 ? " would lift the limit of " : " is higher than ";
        return Widens(set->origin, std::string("limits.") + spec.key + " " +
                                       FormatLimit(spec.kind, set->value) + what +
                                       FormatLimit(spec.kind, now) + " (" +
                                       LimitOrigin(policy_.limits, spec.kind).Describe() + ")");
      }
      LimitValue(policy_.limits, spec.kind) = set->value;
      LimitOrigin(policy_.limits, spec.kind) = set->origin;
    }
    return {};
  }

  // The user file, or a trusted project file: lists append, modes replace.
  Status ApplyWidening(const ConfigLayer& layer) {
    ApplyRequireNamespaces(layer);
    ApplyApprovalWidening(layer);
    ApplyLimits(layer);
    if (layer.mode) {
      policy_.mode = *layer.mode;
      policy_.mode_origin = layer.mode_origin;
    }
    if (layer.net) {
      policy_.net = *layer.net;
      policy_.net_origin = layer.net_origin;
    }
    size_t first_writable = policy_.writable.size();
    CORDON_RETURN_IF_ERROR(
        AddPaths(layer.writable, &policy_.writable, true, "filesystem.writable"));
    for (size_t i = first_writable; i < policy_.writable.size(); ++i) {
      CORDON_RETURN_IF_ERROR(CheckWritable(policy_.writable[i]));
    }
    CORDON_RETURN_IF_ERROR(AddPaths(layer.read, &policy_.read, true, "filesystem.read"));
    CORDON_RETURN_IF_ERROR(AddPaths(layer.unhide, &unhide_, false));
    CORDON_RETURN_IF_ERROR(AddPaths(layer.deny_read, &policy_.deny_read, false));
    CORDON_RETURN_IF_ERROR(AddPaths(layer.protect, &policy_.protect, false));
    for (const ConfigString& s : layer.env_pass) {
      CORDON_RETURN_IF_ERROR(CheckName(s.value, s.value, s.origin, "variable"));
      policy_.env_pass.push_back({s.value, s.origin});
    }
    for (const EnvSet& s : layer.env_set) {
      CORDON_RETURN_IF_ERROR(CheckName(s.name, s.name + "=" + s.value, s.origin, "variable"));
      policy_.env_set.push_back(s);
    }
    for (const SecretGrant& g : layer.secrets) {
      CORDON_RETURN_IF_ERROR(CheckName(g.name, g.name, g.origin, "secret"));
    }
    for (const ConfigString& s : layer.env_scrub) {
      policy_.scrub_patterns.push_back(s.value);
    }
    policy_.secrets.insert(policy_.secrets.end(), layer.secrets.begin(), layer.secrets.end());
    NetRules& net = policy_.net_rules;
    for (const ConfigString& s : layer.net_allow) {
      CORDON_RETURN_IF_ERROR(AddNetRule("network.allow", s.value, s.origin, &net.allow));
    }
    for (const ConfigString& s : layer.net_deny) {
      CORDON_RETURN_IF_ERROR(AddNetRule("network.deny", s.value, s.origin, &net.deny));
    }
    for (const ConfigString& s : layer.net_allow_local) {
      CORDON_RETURN_IF_ERROR(
          AddNetRule("network.allow_local", s.value, s.origin, &net.allow_local));
    }
    for (const ConfigString& s : layer.net_presets) {
      std::optional<std::vector<std::string>> domains = PresetDomains(s.value);
      if (!domains) {
        return PlainError("config", s.origin.Describe(),
                          "network.allow_presets: unknown preset '" + s.value +
                              "' (choices: " + PresetChoices() + ")");
      }
      for (const std::string& d : *domains) {
        CORDON_RETURN_IF_ERROR(AddNetRule("network.allow_presets", d, s.origin, &net.allow,
                                          "preset " + s.value + " (" + s.origin.Describe() + ")"));
      }
    }
    return {};
  }

  // Config files check names as they parse; a flag's is checked here.
  static Status CheckName(const std::string& name, const std::string& given, const Origin& origin,
                          const char* what) {
    if (origin.kind != Origin::Kind::kFlag || IsValidEnvName(name)) return {};
    return PlainError(origin.kind == Origin::Kind::kFlag ? origin.flag : "config",
                      origin.kind == Origin::Kind::kFlag ? given : origin.Describe(),
                      "'" + name + "' is not a valid " + what + " name ([A-Za-z_][A-Za-z0-9_]*)");
  }

  // Parses one network rule into `out`. `key` is the config key or flag
  // that named it; `shown_origin` replaces the origin in what decisions say
  // (presets name themselves).
  Status AddNetRule(std::string_view key, const std::string& text, const Origin& origin,
                    std::vector<HostRule>* out, const std::string& shown_origin = {}) {
    auto rule = ParseHostRule(text);
    std::string detail;
    if (!rule.ok()) {
      detail = rule.error().detail;
    } else if (out == &policy_.net_rules.allow_local) {
      // allow_local opens the host's own services: name them exactly.
      if (!rule.value().port) {
        detail = "needs a port (HOST:PORT)";
      } else if (!rule.value().is_ip && rule.value().host != "localhost") {
        detail = "the host must be an IP address or 'localhost'";
      }
    }
    if (!detail.empty()) {
      if (origin.kind == Origin::Kind::kFlag) {
        return PlainError(origin.flag, text, detail);
      }
      return PlainError("config", origin.Describe(),
                        std::string(key) + ": '" + text + "': " + detail);
    }
    rule.value().origin = shown_origin.empty() ? origin.Describe() : shown_origin;
    out->push_back(std::move(rule).value());
    return {};
  }

  Error Widens(const Origin& where, const std::string& what) const {
    Error e =
        PlainError("config", where.Describe(),
                   what +
                       ": a project file may only narrow the policy (add deny_read or "
                       "protect paths or network.deny rules, drop writable roots, lower mode, "
                       "network.mode or [limits])");
    e.hint = "if you trust this project, add to " + UserFilePath() + ":\n    [workspaces.\"" +
             policy_.workspace + "\"]\n    trusted = true";
    return e;
  }

  // An untrusted project file: it may only take access away.
  Status ApplyNarrowing(const ConfigLayer& layer) {
    ApplyRequireNamespaces(layer);
    CORDON_RETURN_IF_ERROR(ApplyApprovalNarrowing(layer));
    CORDON_RETURN_IF_ERROR(ApplyLimitsNarrowing(layer));
    if (layer.mode) {
      if (Rank(*layer.mode) > Rank(policy_.mode)) {
        return Widens(layer.mode_origin, std::string("mode '") + ModeName(*layer.mode) +
                                             "' is wider than '" + ModeName(policy_.mode) + "'");
      }
      policy_.mode = *layer.mode;
      policy_.mode_origin = layer.mode_origin;
    }
    if (layer.net) {
      if (Rank(*layer.net) > Rank(policy_.net)) {
        return Widens(layer.net_origin, std::string("network.mode '") + NetModeName(*layer.net) +
                                            "' is wider than '" + NetModeName(policy_.net) + "'");
      }
      policy_.net = *layer.net;
      policy_.net_origin = layer.net_origin;
    }
    if (!layer.read.empty()) {
      return Widens(layer.read.front().origin, "filesystem.read adds readable paths");
    }
    if (!layer.unhide.empty()) {
      return Widens(layer.unhide.front().origin,
                    "filesystem.unhide lifts built-in deny-read rules");
    }
    if (!layer.env_pass.empty()) {
      return Widens(layer.env_pass.front().origin, "env.pass lets scrubbed variables through");
    }
    if (!layer.env_set.empty()) {
      return Widens(layer.env_set.front().origin, "env.set sets variables");
    }
    if (!layer.secrets.empty()) {
      return Widens(layer.secrets.front().origin, "secrets grants vault secrets");
    }
    if (layer.writable_origin) {
      // Listing writable roots replaces the set, so only already-writable
      // paths may appear: that is how a project drops writable roots.
      std::vector<PathRule> kept;
      for (const ConfigString& s : layer.writable) {
        auto path = ConfigPath(s);
        if (!path.ok()) {
          return path.error();
        }
        bool writable = IsWithin(path.value(), policy_.workspace);
        for (const PathRule& w : policy_.writable) {
          writable |= IsWithin(path.value(), w.path);
        }
        if (!writable) {
          return Widens(s.origin, "filesystem.writable: " + path.value() + " is not writable");
        }
        if (Exists(path.value())) {
          kept.push_back(PathRule{path.value(), s.origin});
        }
      }
      policy_.writable = std::move(kept);
    }
    if (!layer.net_allow.empty()) {
      return Widens(layer.net_allow.front().origin, "network.allow adds allowed destinations");
    }
    if (!layer.net_allow_local.empty()) {
      return Widens(layer.net_allow_local.front().origin,
                    "network.allow_local opens services of this machine");
    }
    if (!layer.net_presets.empty()) {
      return Widens(layer.net_presets.front().origin,
                    "network.allow_presets adds allowed destinations");
    }
    CORDON_RETURN_IF_ERROR(AddPaths(layer.deny_read, &policy_.deny_read, false));
    CORDON_RETURN_IF_ERROR(AddPaths(layer.protect, &policy_.protect, false));
    for (const ConfigString& s : layer.env_scrub) {
      policy_.scrub_patterns.push_back(s.value);
    }
    for (const ConfigString& s : layer.net_deny) {
      CORDON_RETURN_IF_ERROR(
          AddNetRule("network.deny", s.value, s.origin, &policy_.net_rules.deny));
    }
    return {};
  }

  // The flag layer's extras, which no config file sets.
  Status ApplyFlagExtras(const ConfigLayer& flags) {
    for (const ConfigString& s : flags.net_resolve) {
      auto entry = ParseResolveOverride(s.value);
      if (!entry.ok()) {
        return entry.error();
      }
      policy_.net_resolve.push_back(std::move(entry).value());
    }
    if (flags.allow_degraded) {
      policy_.allow_degraded = true;
      policy_.allow_degraded_origin = *flags.allow_degraded;
    }
    return {};
  }

  Status Finish() {
    Policy& p = policy_;
    // Network flags outside proxy mode would silently do nothing: refuse
    // them. Rules from config files stay (shown as inactive): a user file
    // serves runs of every mode.
    // allow_local names a service of this machine, not internet access: it
    // works offline too (relayed into the sandbox's network), so only
    // --net full, which reaches the host's loopback anyway, refuses it.
    if (p.net != NetMode::kProxy) {
      const ConfigLayer& f = overrides_.flags;
      const bool local_given = !f.net_allow_local.empty() && p.net == NetMode::kFull;
      for (const auto& [flag, given] : {std::pair{"--allow-domain", !f.net_allow.empty()},
                                        std::pair{"--deny-domain", !f.net_deny.empty()},
                                        std::pair{"--allow-local", local_given},
                                        std::pair{"--resolve", !f.net_resolve.empty()}}) {
        if (given) {
          const bool local = std::string_view(flag) == "--allow-local";
          Error e = PlainError(flag, "",
                               std::string(local ? "has an effect only with network mode proxy "
                                                   "or off (the mode is '"
                                                 : "has an effect only with network mode proxy "
                                                   "(the mode is '") +
                                   NetModeName(p.net) + "', from " + p.net_origin.Describe() + ")");
          e.hint = "add --net proxy";
          return e;
        }
      }
    }
    auto rule_key = [](const HostRule& r) {
      return (r.wildcard ? "*." : "") + r.host + "|" + (r.port ? std::to_string(*r.port) : "");
    };
    for (auto* list : {&p.net_rules.allow, &p.net_rules.deny, &p.net_rules.allow_local}) {
      DedupeBy(list, rule_key);
    }
    DedupeBy(&p.net_resolve, [](const ResolveOverride& r) { return r.host + "|" + r.address; });
    DedupeBy(&p.deny_read, [](const PathRule& r) { return r.path; });
    CORDON_RETURN_IF_ERROR(LiftDenyRules());
    RealPathCache real;
    for (const PathRule& deny : p.deny_read) {
      if (IsWithinResolved(p.workspace, deny.path, real)) {
        return PlainError("workspace", p.workspace,
                          "is inside deny-read " + deny.path + " (" + deny.origin.Describe() + ")");
      }
    }
    // deny_read beats everything: a rule that would expose a denied path
    // goes. A flag's is refused (it would do nothing), a config file's is
    // listed as skipped.
    for (auto [list, flag, key] : {std::tuple{&p.read, "--read", "filesystem.read"},
                                   std::tuple{&p.writable, "--writable", "filesystem.writable"}}) {
      for (const PathRule& r : *list) {
        if (r.origin.kind == Origin::Kind::kBuiltin) continue;
        for (const PathRule& deny : p.deny_read) {
          if (!IsWithinResolved(r.path, deny.path, real)) continue;
          const std::string why =
              "inside deny-read " + deny.path + " (" + deny.origin.Describe() + ")";
          if (r.origin.kind != Origin::Kind::kFlag) {
            p.skipped.push_back(SkippedPath{r.path, key, r.origin, why});
            break;
          }
          Error e = PlainError(flag, r.path,
                               r.path + " is " + why + ", so " + flag + " would have no effect");
          e.hint = LiftHint(deny);
          return e;
        }
      }
    }
    auto denied = [&](const PathRule& r) {
      return std::any_of(p.deny_read.begin(), p.deny_read.end(),
                         [&](const PathRule& d) { return IsWithinResolved(r.path, d.path, real); });
    };
    for (auto* list : {&p.system_read, &p.read, &p.writable}) {
      list->erase(std::remove_if(list->begin(), list->end(), denied), list->end());
      DedupeBy(list, [](const PathRule& r) { return r.path; });
    }
    AddAgentConfigProtects(p);
    DedupeBy(&p.protect, [](const PathRule& r) { return r.path; });
    // In read-only mode writable roots are only readable; say so in the data
    // rather than leave it to every backend.
    if (p.mode == Mode::kReadOnly) {
      p.read.insert(p.read.end(), p.writable.begin(), p.writable.end());
      p.writable.clear();
      DedupeBy(&p.read, [](const PathRule& r) { return r.path; });
    }

    // env: a later set of the same name replaces the earlier one.
    std::vector<EnvSet> sets;
    for (const EnvSet& s : p.env_set) {
      auto it =
          std::find_if(sets.begin(), sets.end(), [&](const EnvSet& e) { return e.name == s.name; });
      if (it != sets.end()) {
        *it = s;
      } else {
        sets.push_back(s);
      }
    }
    p.env_set = std::move(sets);
    DedupeBy(&p.env_pass, [](const EnvPass& e) { return e.name; });
    // secrets: a later grant to the same variable (a flag) replaces the earlier.
    std::vector<SecretGrant> grants;
    for (const SecretGrant& g : p.secrets) {
      auto it = std::find_if(grants.begin(), grants.end(),
                             [&](const SecretGrant& e) { return e.env == g.env; });
      if (it != grants.end()) {
        *it = g;
      } else {
        grants.push_back(g);
      }
    }
    p.secrets = std::move(grants);
    DedupeBy(&p.scrub_patterns, [](const std::string& s) { return s; });
    // Last: a cache is layered only outside the final writable roots.
    ResolveCaches(host_, &p, &real);
    return {};
  }

  // How to lift `deny` explicitly: a built-in rule by --unhide, a config
  // file's where it is written.
  std::string LiftHint(const PathRule& deny) const {
    if (IsOwnState(deny.path)) {
      return "cordon's own config and state are never visible to a sandbox";
    }
    if (deny.origin.kind == Origin::Kind::kBuiltin) {
      return "to lift the built-in rule, add --unhide " + deny.path +
             " (or [filesystem] unhide = [\"" + deny.path + "\"] in " + UserFilePath() + ")";
    }
    if (deny.origin.kind == Origin::Kind::kFlag) {
      return "drop " + deny.origin.flag + " " + deny.path;
    }
    return "remove it from deny_read at " + deny.origin.Describe();
  }

  // cordon's own config and state (vault, key, events, approvals).
  bool IsOwnState(const std::string& path) const {
    for (const std::string& own :
         {host_.xdg_config_home + "/cordon", host_.xdg_state_home + "/cordon"}) {
      if (IsWithin(path, own) || IsWithin(own, path)) return true;
    }
    return false;
  }

  // --unhide / [filesystem] unhide: removes the built-in deny_read rules
  // whose path is exactly the one named. Never cordon's own; a flag that
  // lifts nothing is refused, a config entry is listed as skipped.
  Status LiftDenyRules() {
    Policy& p = policy_;
    for (const PathRule& u : unhide_) {
      const bool flag = u.origin.kind == Origin::Kind::kFlag;
      auto refuse = [&](const std::string& why, const std::string& hint = {}) -> Status {
        if (!flag) {
          p.skipped.push_back(SkippedPath{u.path, "filesystem.unhide", u.origin, why});
          return {};
        }
        Error e = PlainError("--unhide", u.path, why);
        e.hint = hint;
        return e;
      };
      if (IsOwnState(u.path)) {
        // Not even from the user file: a sandbox that read the vault's key
        // or wrote the approvals could widen the next run.
        Error e = PlainError(flag ? "--unhide" : "config", flag ? u.path : u.origin.Describe(),
                             "refusing to unhide " + u.path +
                                 ": cordon's own config and state are never visible to a sandbox");
        return e;
      }
      auto match = std::find_if(p.deny_read.begin(), p.deny_read.end(),
                                [&](const PathRule& d) { return d.path == u.path; });
      if (match == p.deny_read.end()) {
        auto outer = std::find_if(p.deny_read.begin(), p.deny_read.end(),
                                  [&](const PathRule& d) { return IsWithin(u.path, d.path); });
        if (outer != p.deny_read.end()) {
          CORDON_RETURN_IF_ERROR(refuse("no deny-read rule names " + u.path + "; it is inside " +
                                            outer->path + " (" + outer->origin.Describe() + ")",
                                        LiftHint(*outer)));
        } else {
          CORDON_RETURN_IF_ERROR(
              refuse("no deny-read rule names " + u.path + ", so there is nothing to unhide",
                     "the deny-read rules: cordon policy show"));
        }
        continue;
      }
      if (match->origin.kind != Origin::Kind::kBuiltin) {
        CORDON_RETURN_IF_ERROR(refuse("the deny-read rule for " + u.path + " comes from " +
                                          match->origin.Describe() +
                                          ", not a built-in default; unhide lifts only those",
                                      LiftHint(*match)));
        continue;
      }
      p.unhidden.push_back(LiftedRule{match->path, u.origin, match->origin.Describe()});
      p.deny_read.erase(match);
    }
    return {};
  }

  static HostFacts Normalized(HostFacts h) {
    for (std::string* s : {&h.home, &h.cwd, &h.xdg_config_home, &h.xdg_state_home,
                           &h.xdg_runtime_dir, &h.xdg_cache_home, &h.xdg_data_home}) {
      if (!s->empty()) {
        *s = NormalizePath(*s);
      }
    }
    return h;
  }

  std::string workspace_reason_;
  const Overrides& overrides_;
  const HostFacts host_;
  Policy policy_;
  std::vector<PathRule> unhide_;  // every layer's unhide entries, lifted in Finish
};

}  // namespace

Result<Policy> Resolve(const Overrides& overrides, const HostFacts& host) {
  try {
    return Resolver(overrides, host).Run();
  } catch (const std::exception& e) {
    return PlainError("policy", "", std::string("internal error: ") + e.what());
  }
}

}  // namespace cordon::policy
