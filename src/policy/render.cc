// Text and JSON renderings of a resolved Policy.
#include "policy/render.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "common/json_text.h"
#include "policy/env.h"
#include "policy/limits.h"
#include "policy/secret_values.h"

namespace cordon::policy {

namespace {

constexpr std::string_view kRulePrefix = "built-in rule: ";

struct Entry {
  std::string path;
  const char* access;
  std::string origin;
};

// Every path of the policy, in the order the text lists them.
std::vector<Entry> Entries(const Policy& p) {
  std::vector<Entry> out;
  auto add = [&](const std::vector<PathRule>& rules, const char* access) {
    for (const PathRule& r : rules) {
      out.push_back({r.path, access, r.origin.Describe()});
    }
  };
  add(p.system_read, kAccessSystemRead);
  if (p.mode == Mode::kReadOnly) {
    out.push_back({p.workspace, kAccessRead, "workspace"});
  }
  add(p.read, kAccessRead);
  if (p.mode != Mode::kReadOnly) {
    out.push_back({p.workspace, kAccessWrite, "workspace"});
  }
  add(p.writable, kAccessWrite);
  for (const CacheLayer& c : p.caches) {
    out.push_back({c.path, kAccessCacheLayer, c.origin.note + ", writes go to " + c.layer});
  }
  add(p.protect, kAccessProtect);
  add(p.deny_read, kAccessDenyRead);
  out.push_back({p.home, kAccessHidden, "home"});
  add(p.hide, kAccessHidden);
  return out;
}

// A set value is shown unless its name or its shape says it is a secret.
std::string SetValue(const Policy& p, const EnvSet& s) {
  for (const std::string& pattern : p.scrub_patterns) {
    if (GlobMatch(pattern, s.name)) {
      return "<redacted>";
    }
  }
  return SecretValueShape(s.value) ? "<redacted>" : s.value;
}

const char* Heading(const char* access) {
  std::string_view a = access;
  if (a == kAccessSystemRead) {
    return "System, read-only";
  }
  if (a == kAccessRead) {
    return "Read-only";
  }
  if (a == kAccessWrite) {
    return "Writable";
  }
  if (a == kAccessCacheLayer) {
    return "Package caches (the real cache read, writes kept in a per-workspace layer)";
  }
  if (a == kAccessProtect) {
    return "Protected (read-only inside writable roots)";
  }
  if (a == kAccessDenyRead) {
    return "Deny-read (never visible)";
  }
  return "Hidden (empty view)";
}

void Line(std::string* out, const std::string& left, const std::string& right) {
  std::string l = "  " + left;
  if (l.size() < 44) {
    l.resize(44, ' ');
  }
  *out += l + "  " + right + "\n";
}

struct NetEntry {
  const char* kind;  // "allow", "deny", "allow_local"
  const HostRule* rule;
};

std::vector<NetEntry> NetEntries(const Policy& p) {
  std::vector<NetEntry> out;
  for (const auto& [kind, rules] :
       {std::pair{"deny", &p.net_rules.deny}, std::pair{"allow", &p.net_rules.allow},
        std::pair{"allow_local", &p.net_rules.allow_local}}) {
    for (const HostRule& r : *rules) {
      out.push_back({kind, &r});
    }
  }
  return out;
}

}  // namespace

std::string RenderText(const Policy& p, bool verbose, const LimitEnforcementText* enforcement) {
  std::string out;
  out += "workspace  " + p.workspace;
  if (!p.workspace_reason.empty()) out += "  [" + p.workspace_reason + "]";
  out += "\n";
  if (!p.cwd.empty() && p.cwd != p.workspace) out += "cwd        " + p.cwd + "\n";
  out += "home       " + p.home + " (hidden)\n";
  out += std::string("mode       ") + ModeName(p.mode) + "  [" + p.mode_origin.Describe() + "]\n";
  out += std::string("network    ") + NetModeName(p.net) + "  [" + p.net_origin.Describe() + "]\n";
  out += std::string("approval   ") + ApprovalName(p.approval) + ", " +
         std::to_string(p.approval_timeout_seconds) + " s to answer  [" +
         p.approval_origin.Describe() + "]\n";
  for (const std::string& t : p.trusted_commands) out += "trusted    " + t + "\n";
  if (p.allow_degraded) {
    out += "degraded   allowed  [" + p.allow_degraded_origin.Describe() + "]\n";
  }
  if (p.require_namespaces) {
    out += "namespaces required (no namespace-less tier)  [" +
           p.require_namespaces_origin.Describe() + "]\n";
  }
  if (p.mode == Mode::kFullAccess) {
    out +=
        "\nWARNING: full-access runs the command unconfined; the rules below are not enforced.\n";
  }

  const char* current = nullptr;
  std::vector<Entry> entries = Entries(p);
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (current == nullptr || std::string_view(current) != e.access) {
      current = e.access;
      out += std::string("\n") + Heading(current) + ":\n";
    }
    if (!verbose && e.origin.starts_with(kRulePrefix)) {
      // Count this rule's paths once, at its first path.
      size_t count = 0;
      bool first = true;
      for (size_t k = 0; k < entries.size(); ++k) {
        if (entries[k].origin != e.origin || std::string_view(entries[k].access) != e.access)
          continue;
        first &= k >= i;
        ++count;
      }
      if (first) {
        Line(&out,
             std::to_string(count) + (count == 1 ? " path" : " paths") +
                 " other users cannot read (-v lists them)",
             e.origin);
      }
      continue;
    }
    Line(&out, e.path, e.origin);
  }

  if (!p.unhidden.empty()) {
    out += "\nUnhidden (built-in deny-read rules lifted):\n";
    for (const LiftedRule& u : p.unhidden) {
      Line(&out, u.path, u.lifted_by.Describe() + " (was: " + u.rule + ")");
    }
  }
  if (!p.skipped.empty()) {
    out += "\nSkipped (named in a config file, no effect):\n";
    for (const SkippedPath& sk : p.skipped) {
      Line(&out, sk.path, sk.key + ": " + sk.reason + "  [" + sk.origin.Describe() + "]");
    }
  }

  std::vector<NetEntry> net = NetEntries(p);
  if (!net.empty() || !p.net_resolve.empty()) {
    out += "\nNetwork rules";
    if (p.net == NetMode::kProxy) {
      out += " (deny beats allow; anything else is denied):\n";
    } else if (p.net == NetMode::kOff) {
      out += " (offline: allow_local services are relayed in, the rest is inactive):\n";
    } else {
      out += " (inactive: the host's network is shared):\n";
    }
    for (const NetEntry& e : net) {
      Line(&out, std::string(e.kind) + " " + e.rule->text, e.rule->origin);
    }
    for (const ResolveOverride& r : p.net_resolve) {
      Line(&out, "resolve " + r.host + " -> " + r.address, "flag --resolve (testing aid)");
    }
  }

  out += "\nLimits (docs/limits.md):\n";
  for (const LimitSpec& spec : kLimitSpecs) {
    const int64_t value = LimitValue(p.limits, spec.kind);
    Line(&out, std::string(spec.key) + " " + FormatLimit(spec.kind, value),
         LimitOrigin(p.limits, spec.kind).Describe());
    const std::string* how =
        enforcement != nullptr && value != 0 ? &(*enforcement)[Index(spec.kind)] : nullptr;
    if (how != nullptr && !how->empty()) out += "      enforced: " + *how + "\n";
  }

  out += "\nEnvironment:\n";
  out += "  scrubbed patterns: ";
  for (size_t i = 0; i < p.scrub_patterns.size(); ++i) {
    out += (i ? " " : "") + p.scrub_patterns[i];
  }
  out += "\n";
  out +=
      "  and values that carry credentials, whatever the name: URLs with a password, "
      "tokens of known shapes (GitHub, OpenAI, Anthropic, Slack, AWS, GitLab, npm, PyPI, "
      "Stripe, Google), JWTs, HTTP credentials, private keys\n";
  for (const EnvPass& e : p.env_pass) {
    Line(&out, "pass " + e.name, e.origin.Describe());
  }
  for (const EnvSet& e : p.env_set) {
    Line(&out, "set " + e.name + "=" + SetValue(p, e), e.origin.Describe());
  }
  out += "  always: TMPDIR=/tmp, XDG_RUNTIME_DIR removed\n";
  for (const SecretGrant& g : p.secrets) {
    Line(&out, "secret " + g.name + " as $" + g.env + " (value from the vault)",
         g.origin.Describe());
  }

  out += "\nConfig files:\n";
  if (p.sources.empty()) {
    out += "  (none)\n";
  }
  for (const std::string& s : p.sources) {
    out += "  " + s + "\n";
  }
  out += std::string("Project file: ") + (p.project_trusted ? "trusted (may widen the policy)\n"
                                                            : "not trusted (may only narrow)\n");
  return out;
}

// Written straight into a string (json_text.h): every run renders the
// policy for its session.start event, and a json tree cost a third of a
// full-access run's instructions. The indented form, for `policy show
// --json` only, is the same document reformatted.
std::string RenderJson(const Policy& p, int indent) {
  std::string out;
  out.reserve(16384);
  JsonWriter w(&out);
  w.BeginObject()
      .Member("workspace", p.workspace)
      .Member("workspace_reason", p.workspace_reason)
      .Member("cwd", p.cwd)
      .Member("home", p.home);
  w.Key("mode")
      .BeginObject()
      .Member("value", ModeName(p.mode))
      .Member("origin", p.mode_origin.Describe())
      .EndObject();
  w.Key("network")
      .BeginObject()
      .Member("mode", NetModeName(p.net))
      .Member("origin", p.net_origin.Describe());
  w.Key("rules").BeginArray();
  for (const NetEntry& e : NetEntries(p)) {
    w.BeginObject()
        .Member("kind", e.kind)
        .Member("rule", e.rule->text)
        .Member("host", e.rule->host)
        .Member("wildcard", e.rule->wildcard);
    w.Key("port");
    e.rule->port ? w.Int(*e.rule->port) : w.Null();
    w.Member("origin", e.rule->origin).EndObject();
  }
  w.EndArray().Key("resolve").BeginArray();
  for (const ResolveOverride& r : p.net_resolve) {
    w.BeginObject().Member("host", r.host).Member("address", r.address).EndObject();
  }
  w.EndArray().EndObject();
  w.Key("paths").BeginArray();
  for (const Entry& e : Entries(p)) {
    w.BeginObject()
        .Member("path", e.path)
        .Member("access", e.access)
        .Member("origin", e.origin)
        .EndObject();
  }
  w.EndArray().Key("unhidden").BeginArray();
  for (const LiftedRule& u : p.unhidden) {
    w.BeginObject()
        .Member("path", u.path)
        .Member("origin", u.lifted_by.Describe())
        .Member("rule", u.rule)
        .EndObject();
  }
  w.EndArray().Key("skipped").BeginArray();
  for (const SkippedPath& sk : p.skipped) {
    w.BeginObject()
        .Member("path", sk.path)
        .Member("key", sk.key)
        .Member("reason", sk.reason)
        .Member("origin", sk.origin.Describe())
        .EndObject();
  }
  w.EndArray().Key("env").BeginObject().Key("scrub").BeginArray();
  for (const std::string& pattern : p.scrub_patterns) w.String(pattern);
  w.EndArray().Key("pass").BeginArray();
  for (const EnvPass& e : p.env_pass) {
    w.BeginObject().Member("name", e.name).Member("origin", e.origin.Describe()).EndObject();
  }
  w.EndArray().Key("set").BeginArray();
  for (const EnvSet& e : p.env_set) {
    w.BeginObject()
        .Member("name", e.name)
        .Member("value", SetValue(p, e))
        .Member("origin", e.origin.Describe())
        .EndObject();
  }
  w.EndArray().EndObject();
  w.Key("secrets").BeginArray();
  for (const SecretGrant& g : p.secrets) {
    w.BeginObject()
        .Member("name", g.name)
        .Member("env", g.env)
        .Member("origin", g.origin.Describe())
        .EndObject();
  }
  w.EndArray().Key("limits").BeginObject();
  for (const LimitSpec& spec : kLimitSpecs) {
    const int64_t value = LimitValue(p.limits, spec.kind);
    w.Key(spec.key).BeginObject().Key("value");
    value == 0 ? w.Null() : w.Int(value);
    w.Member("unit", spec.kind == LimitKind::kPids   ? "processes"
                     : spec.kind == LimitKind::kCpus ? "millicpus"
                                                     : "bytes")
        .Member("shown", FormatLimit(spec.kind, value))
        .Member("origin", LimitOrigin(p.limits, spec.kind).Describe())
        .EndObject();
  }
  w.EndObject().Key("sources").BeginArray();
  for (const std::string& source : p.sources) w.String(source);
  w.EndArray()
      .Member("project_trusted", p.project_trusted)
      .Member("allow_degraded", p.allow_degraded)
      .Member("require_namespaces", p.require_namespaces);
  w.Key("approval")
      .BeginObject()
      .Member("policy", ApprovalName(p.approval))
      .Member("origin", p.approval_origin.Describe())
      .Key("timeout_seconds")
      .Int(p.approval_timeout_seconds)
      .Key("trusted_commands")
      .BeginArray();
  for (const std::string& command : p.trusted_commands) w.String(command);
  w.EndArray().EndObject().EndObject();
  if (indent < 0) return out;
  return nlohmann::ordered_json::parse(out).dump(indent) + "\n";
}

}  // namespace cordon::policy
