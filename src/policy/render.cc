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

// The compact form of `j`, byte for byte what j.dump(-1, ' ', false,
// replace) writes, without its one virtual call per character: the policy
// is rendered (and hashed) for the session.start event of every run.
void AppendCompact(std::string* out, const nlohmann::ordered_json& j) {
  using nlohmann::ordered_json;
  auto string = [out](const std::string& s) {
    if (!AppendJsonString(out, s)) {
      *out += ordered_json(s).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
    }
  };
  switch (j.type()) {
    case ordered_json::value_t::object: {
      out->push_back('{');
      bool first = true;
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!first) out->push_back(',');
        first = false;
        string(it.key());
        out->push_back(':');
        AppendCompact(out, it.value());
      }
      out->push_back('}');
      break;
    }
    case ordered_json::value_t::array: {
      out->push_back('[');
      bool first = true;
      for (const auto& value : j) {
        if (!first) out->push_back(',');
        first = false;
        AppendCompact(out, value);
      }
      out->push_back(']');
      break;
    }
    case ordered_json::value_t::string:
      string(j.get_ref<const std::string&>());
      break;
    default:  // numbers, booleans, null: short, and nlohmann formats them
      *out += j.dump();
  }
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

std::string RenderJson(const Policy& p, int indent) {
  using nlohmann::ordered_json;
  ordered_json j;
  j["workspace"] = p.workspace;
  j["workspace_reason"] = p.workspace_reason;
  j["cwd"] = p.cwd;
  j["home"] = p.home;
  j["mode"] = {{"value", ModeName(p.mode)}, {"origin", p.mode_origin.Describe()}};
  ordered_json rules = ordered_json::array();
  for (const NetEntry& e : NetEntries(p)) {
    ordered_json r = {{"kind", e.kind},
                      {"rule", e.rule->text},
                      {"host", e.rule->host},
                      {"wildcard", e.rule->wildcard}};
    r["port"] = e.rule->port ? ordered_json(*e.rule->port) : ordered_json(nullptr);
    r["origin"] = e.rule->origin;
    rules.push_back(std::move(r));
  }
  ordered_json resolve = ordered_json::array();
  for (const ResolveOverride& r : p.net_resolve) {
    resolve.push_back({{"host", r.host}, {"address", r.address}});
  }
  j["network"] = {{"mode", NetModeName(p.net)},
                  {"origin", p.net_origin.Describe()},
                  {"rules", std::move(rules)},
                  {"resolve", std::move(resolve)}};
  ordered_json paths = ordered_json::array();
  for (const Entry& e : Entries(p)) {
    paths.push_back({{"path", e.path}, {"access", e.access}, {"origin", e.origin}});
  }
  j["paths"] = std::move(paths);
  ordered_json unhidden = ordered_json::array();
  for (const LiftedRule& u : p.unhidden) {
    unhidden.push_back({{"path", u.path}, {"origin", u.lifted_by.Describe()}, {"rule", u.rule}});
  }
  j["unhidden"] = std::move(unhidden);
  ordered_json skipped = ordered_json::array();
  for (const SkippedPath& sk : p.skipped) {
    skipped.push_back({{"path", sk.path},
                       {"key", sk.key},
                       {"reason", sk.reason},
                       {"origin", sk.origin.Describe()}});
  }
  j["skipped"] = std::move(skipped);
  ordered_json pass = ordered_json::array();
  for (const EnvPass& e : p.env_pass) {
    pass.push_back({{"name", e.name}, {"origin", e.origin.Describe()}});
  }
  ordered_json set = ordered_json::array();
  for (const EnvSet& e : p.env_set) {
    set.push_back({{"name", e.name}, {"value", SetValue(p, e)}, {"origin", e.origin.Describe()}});
  }
  j["env"] = {{"scrub", p.scrub_patterns}, {"pass", std::move(pass)}, {"set", std::move(set)}};
  ordered_json secrets = ordered_json::array();
  for (const SecretGrant& g : p.secrets) {
    secrets.push_back({{"name", g.name}, {"env", g.env}, {"origin", g.origin.Describe()}});
  }
  j["secrets"] = std::move(secrets);
  ordered_json limits = ordered_json::object();
  for (const LimitSpec& spec : kLimitSpecs) {
    const int64_t value = LimitValue(p.limits, spec.kind);
    limits[spec.key] = {{"value", value == 0 ? ordered_json(nullptr) : ordered_json(value)},
                        {"unit", spec.kind == LimitKind::kPids   ? "processes"
                                 : spec.kind == LimitKind::kCpus ? "millicpus"
                                                                 : "bytes"},
                        {"shown", FormatLimit(spec.kind, value)},
                        {"origin", LimitOrigin(p.limits, spec.kind).Describe()}};
  }
  j["limits"] = std::move(limits);
  j["sources"] = p.sources;
  j["project_trusted"] = p.project_trusted;
  j["allow_degraded"] = p.allow_degraded;
  j["require_namespaces"] = p.require_namespaces;
  j["approval"] = {{"policy", ApprovalName(p.approval)},
                   {"origin", p.approval_origin.Describe()},
                   {"timeout_seconds", p.approval_timeout_seconds},
                   {"trusted_commands", p.trusted_commands}};
  if (indent < 0) {
    std::string out;
    out.reserve(8192);
    AppendCompact(&out, j);
    return out;
  }
  // Invalid UTF-8 in a path is replaced rather than thrown on.
  return j.dump(indent, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace cordon::policy
