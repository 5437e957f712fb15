// The policy flags' table and what each writes into the flag layer.
#include "policy/flag_layer.h"

#include <array>
#include <charconv>

#include "policy/limits.h"
#include "policy/names.h"

namespace cordon::policy {

namespace {

using Arity = PolicyFlag::Arity;

constexpr std::array kFlags = {
    PolicyFlag{"--workspace", Arity::kOne, "DIR",
               "Project directory, writable (default: the top level of the git work tree around "
               "the current directory, else the current directory; the command runs in the "
               "current directory)"},
    PolicyFlag{"--mode", Arity::kOne, "MODE",
               "read-only | workspace-write | full-access (default: workspace-write; full-access "
               "runs unconfined)"},
    PolicyFlag{"--writable", Arity::kRepeatable, "PATH",
               "Extra writable root (repeatable); may not be /, your home or a system directory"},
    PolicyFlag{"--read", Arity::kRepeatable, "PATH",
               "Hidden path (e.g. under your home) made visible read-only (repeatable)"},
    PolicyFlag{"--deny-read", Arity::kRepeatable, "PATH",
               "Path never visible, even under an allowed parent or inside the workspace "
               "(repeatable)"},
    PolicyFlag{"--unhide", Arity::kRepeatable, "PATH",
               "Lift the built-in deny-read rule for exactly PATH (e.g. ~/.ssh), so --read or "
               "--writable can name it (repeatable; never cordon's own config or state)"},
    PolicyFlag{"--protect", Arity::kRepeatable, "PATH",
               "Path kept read-only inside a writable root (repeatable)"},
    PolicyFlag{"--net", Arity::kOne, "MODE",
               "Network: off (default) | proxy (only destinations the rules allow) | full (host "
               "network)"},
    PolicyFlag{"--allow-domain", Arity::kRepeatable, "PATTERN",
               "With --net proxy: allow a host, *.domain (subdomains), optionally :PORT, or an IP "
               "(repeatable)"},
    PolicyFlag{"--deny-domain", Arity::kRepeatable, "PATTERN",
               "With --net proxy: deny a host pattern; beats every allow (repeatable)"},
    PolicyFlag{"--allow-local", Arity::kRepeatable, "HOST:PORT",
               "With --net off or proxy: allow a service on this machine, e.g. 127.0.0.1:5432 or "
               "localhost:6379, for any TCP client (repeatable)"},
    PolicyFlag{"--resolve", Arity::kRepeatable, "HOST:ADDR",
               "With --net proxy, a testing aid: the proxy resolves HOST to ADDR (an IP) instead "
               "of asking DNS (repeatable)"},
    PolicyFlag{"--secret", Arity::kRepeatable, "NAME",
               "Put vault secret NAME into the command's environment as $NAME (repeatable; see "
               "'cordon secret')"},
    PolicyFlag{"--env", Arity::kRepeatable, "NAME[=VALUE]",
               "NAME: pass a scrubbed variable through; NAME=VALUE: set one (repeatable)"},
    PolicyFlag{"--memory", Arity::kOne, "SIZE",
               "Memory of the whole run, /tmp and /dev/shm included: 512M, 1.5G, 2T, or none "
               "(default: 3/4 of RAM; see docs/limits.md)"},
    PolicyFlag{"--pids", Arity::kOne, "N",
               "Processes and threads alive at once, or none (default: 8192)"},
    PolicyFlag{"--cpus", Arity::kOne, "N",
               "CPU time as a number of cores: 0.5, 1.5, 2, or none (default: none)"},
    PolicyFlag{"--tmp-size", Arity::kOne, "SIZE",
               "Size of the private /tmp and /dev/shm together: 512M, 2G, or none (default: 1/4 "
               "of RAM)"},
    PolicyFlag{"--config", Arity::kOne, "FILE",
               "Read this user config file instead of $XDG_CONFIG_HOME/cordon/config.toml"},
    PolicyFlag{"--no-config", Arity::kSwitch, "", "Read no config file (neither user nor project)"},
    PolicyFlag{"--allow-degraded", Arity::kSwitch, "",
               "Run with what the kernel supports and report what is not enforced (default: "
               "refuse)"},
    PolicyFlag{"--require-namespaces", Arity::kSwitch, "",
               "Refuse to run where user namespaces are denied, instead of confining with "
               "Landlock and seccomp alone (the namespace-less tier)"},
    PolicyFlag{"--approval", Arity::kOne, "POLICY",
               "When to ask you: never | on-failure | on-request (default) | untrusted (see "
               "docs/approvals.md)"},
    PolicyFlag{"--approval-timeout", Arity::kOne, "SECONDS",
               "Seconds to wait for an answer before denying (default 60)"},
    PolicyFlag{"--trust-command", Arity::kRepeatable, "PREFIX",
               "With --approval untrusted: a command prefix that runs without asking, e.g. 'git "
               "status' (repeatable)"},
};

Origin FlagOrigin(std::string_view flag) {
  Origin o;
  o.kind = Origin::Kind::kFlag;
  o.flag = std::string(flag);
  return o;
}

Error Expected(std::string_view flag, const std::string& what, const std::string& got) {
  return PlainError("flag", "", std::string(flag) + ": expected " + what + " (got '" + got + "')");
}

// The limit whose flag is `name`, or nullptr.
const LimitSpec* LimitFlag(std::string_view name) {
  for (const LimitSpec& s : kLimitSpecs) {
    if (name == s.flag) return &s;
  }
  return nullptr;
}

}  // namespace

std::span<const PolicyFlag> PolicyFlags() { return kFlags; }

Status AddFlag(Overrides* overrides, std::string_view name, const std::string& value) {
  ConfigLayer& l = overrides->flags;
  const Origin origin = FlagOrigin(name);
  auto str = [&] { return ConfigString{value, origin}; };
  if (name == "--workspace") {
    overrides->workspace = value;
  } else if (name == "--config") {
    overrides->config_file = value;
  } else if (name == "--no-config") {
    overrides->no_config = true;
  } else if (name == "--mode") {
    l.mode = ParseMode(value);
    if (!l.mode) return Expected(name, std::string("one of ") + kModeChoices, value);
    l.mode_origin = origin;
  } else if (name == "--net") {
    l.net = ParseNetMode(value);
    if (!l.net) return Expected(name, std::string("one of ") + kNetModeChoices, value);
    l.net_origin = origin;
  } else if (name == "--writable") {
    l.writable.push_back(str());
  } else if (name == "--read") {
    l.read.push_back(str());
  } else if (name == "--deny-read") {
    l.deny_read.push_back(str());
  } else if (name == "--unhide") {
    l.unhide.push_back(str());
  } else if (name == "--protect") {
    l.protect.push_back(str());
  } else if (name == "--allow-domain") {
    l.net_allow.push_back(str());
  } else if (name == "--deny-domain") {
    l.net_deny.push_back(str());
  } else if (name == "--allow-local") {
    l.net_allow_local.push_back(str());
  } else if (name == "--resolve") {
    l.net_resolve.push_back(str());
  } else if (name == "--secret") {
    l.secrets.push_back(SecretGrant{value, value, origin});
  } else if (name == "--env") {
    const size_t eq = value.find('=');
    if (eq == std::string::npos) {
      l.env_pass.push_back(str());
    } else {
      l.env_set.push_back(EnvSet{value.substr(0, eq), value.substr(eq + 1), origin});
    }
  } else if (name == "--allow-degraded") {
    l.allow_degraded = origin;
  } else if (name == "--require-namespaces") {
    l.require_namespaces = true;
    l.require_namespaces_origin = origin;
  } else if (name == "--approval") {
    l.approval = ParseApproval(value);
    if (!l.approval) return Expected(name, std::string("one of ") + kApprovalChoices, value);
    l.approval_origin = origin;
  } else if (name == "--approval-timeout") {
    int seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() || seconds < 1 ||
        seconds > kMaxApprovalTimeoutSeconds) {
      return Expected(
          name, "a whole number of seconds from 1 to " + std::to_string(kMaxApprovalTimeoutSeconds),
          value);
    }
    l.approval_timeout = seconds;
    l.approval_timeout_origin = origin;
  } else if (const LimitSpec* spec = LimitFlag(name)) {
    auto v = ParseLimit(spec->kind, value, name);
    if (!v.ok()) return PlainError("flag", "", v.error().detail);
    l.limits[Index(spec->kind)] = LimitSetting{v.value(), origin};
  } else if (name == "--trust-command") {
    l.trusted_commands.push_back(str());
  } else {
    return PlainError("flag", "", "unknown policy option '" + std::string(name) + "'");
  }
  return {};
}

void Grant(Overrides* overrides, GrantKind kind, const std::string& value,
           const std::string& source) {
  ConfigString entry{value, FlagOrigin(source)};
  if (kind == GrantKind::kWritable) {
    overrides->flags.writable.push_back(std::move(entry));
  } else {
    overrides->flags.net_allow.push_back(std::move(entry));
  }
}

}  // namespace cordon::policy
