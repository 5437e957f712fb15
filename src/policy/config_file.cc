// TOML config file -> ConfigLayer, with toml++ (exceptions caught here).
#include "policy/config_file.h"

#include <errno.h>
#include <toml++/toml.h>

#include <charconv>
#include <exception>

#include "policy/env.h"
#include "policy/host_fs.h"
#include "policy/names.h"
#include "policy/toml_guard.h"

namespace cordon::policy {

namespace {

const char* TypeName(toml::node_type t) {
  switch (t) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

// Walks one parsed document; keeps no state but the file's identity.
class LayerBuilder {
 public:
  LayerBuilder(const std::string& file, ConfigKind kind) {
    layer_.file = file;
    layer_.kind = kind;
  }

  Result<ConfigLayer> Build(const toml::table& root) {
    for (auto&& [key, node] : root) {
      const std::string_view k = key.str();
      Status s;
      if (k == "mode") {
        s = ParseModeValue(node);
      } else if (k == "filesystem") {
        s = ParseFilesystem(key, node);
      } else if (k == "network") {
        s = ParseNetwork(key, node);
      } else if (k == "env") {
        s = ParseEnv(key, node);
      } else if (k == "workspaces") {
        s = ParseWorkspaces(key, node);
      } else if (k == "require_namespaces") {
        s = ParseRequireNamespaces(node);
      } else if (k == "allow_degraded") {
        s = Fail(key.source(),
                 "'allow_degraded' is not a config key; use the --allow-degraded flag");
      } else if (k == "limits") {
        s = ParseLimits(key, node);
      } else if (k == "telemetry") {
        s = ParseTelemetry(key, node);
      } else if (k == "secrets") {
        s = ParseSecrets(key, node);
      } else if (k == "approval" || k == "approval_timeout" || k == "trusted_commands") {
        s = ParseApprovalKey(k, node);
      } else {
        s = Unknown(key, "",
                    "mode, approval, approval_timeout, trusted_commands, require_namespaces, "
                    "filesystem, network, env, limits, telemetry, secrets, workspaces");
      }
      if (!s.ok()) {
        return s.error();
      }
    }
    return std::move(layer_);
  }

 private:
  Origin At(const toml::source_region& where) const {
    Origin o;
    o.kind =
        layer_.kind == ConfigKind::kUser ? Origin::Kind::kUserConfig : Origin::Kind::kProjectConfig;
    o.file = layer_.file;
    o.line = static_cast<int>(where.begin.line);
    o.column = static_cast<int>(where.begin.column);
    return o;
  }

  Error Fail(const toml::source_region& where, std::string detail) const {
    return PlainError("config", At(where).Describe(), std::move(detail));
  }

  Error Unknown(const toml::key& key, std::string_view table, std::string_view known) const {
    std::string detail = "unknown key '" + std::string(key.str()) + "'";
    if (!table.empty()) {
      detail += " in [" + std::string(table) + "]";
    }
    detail += " (known keys: " + std::string(known) + ")";
    return Fail(key.source(), std::move(detail));
  }

  Result<const toml::table*> ExpectTable(const toml::key& key, const toml::node& node) const {
    const toml::table* t = node.as_table();
    if (t == nullptr) {
      return Fail(node.source(),
                  std::string(key.str()) + ": expected a table, got " + TypeName(node.type()));
    }
    return t;
  }

  // A string without NUL bytes (they cannot reach a path or an envp entry).
  Result<std::string> ExpectString(std::string_view name, const toml::node& node,
                                   bool allow_empty) const {
    const auto* s = node.as_string();
    if (s == nullptr) {
      return Fail(node.source(),
                  std::string(name) + ": expected a string, got " + TypeName(node.type()));
    }
    const std::string& v = s->get();
    if (v.find('\0') != std::string::npos) {
      return Fail(node.source(), std::string(name) + ": string contains a NUL byte");
    }
    if (!allow_empty && v.empty()) {
      return Fail(node.source(), std::string(name) + ": empty string");
    }
    return v;
  }

  Status ExpectStringArray(std::string_view name, const toml::node& node,
                           std::vector<ConfigString>* out) const {
    const toml::array* a = node.as_array();
    if (a == nullptr) {
      return Fail(node.source(), std::string(name) + ": expected an array of strings, got " +
                                     TypeName(node.type()));
    }
    for (const toml::node& item : *a) {
      auto s = ExpectString(name, item, /*allow_empty=*/false);
      if (!s.ok()) {
        return s.error();
      }
      out->push_back(ConfigString{std::move(s).value(), At(item.source())});
    }
    return {};
  }

  Status ParseModeValue(const toml::node& node) {
    auto s = ExpectString("mode", node, true);
    if (!s.ok()) {
      return s.error();
    }
    std::optional<Mode> m = ParseMode(s.value());
    if (!m) {
      return Fail(node.source(), std::string("mode: expected one of ") + kModeChoices + " (got '" +
                                     s.value() + "')");
    }
    layer_.mode = *m;
    layer_.mode_origin = At(node.source());
    return {};
  }

  Status ParseApprovalKey(std::string_view k, const toml::node& node) {
    if (k == "trusted_commands") {
      return ExpectStringArray("trusted_commands", node, &layer_.trusted_commands);
    }
    if (k == "approval_timeout") {
      const auto* i = node.as_integer();
      if (i == nullptr || i->get() < 1 || i->get() > kMaxApprovalTimeoutSeconds) {
        return Fail(node.source(),
                    "approval_timeout: expected a whole number of seconds from 1 to " +
                        std::to_string(kMaxApprovalTimeoutSeconds));
      }
      layer_.approval_timeout = static_cast<int>(i->get());
      layer_.approval_timeout_origin = At(node.source());
      return {};
    }
    auto s = ExpectString("approval", node, true);
    if (!s.ok()) return s.error();
    std::optional<Approval> a = ParseApproval(s.value());
    if (!a) {
      return Fail(node.source(), std::string("approval: expected one of ") + kApprovalChoices +
                                     " (got '" + s.value() + "')");
    }
    layer_.approval = *a;
    layer_.approval_origin = At(node.source());
    return {};
  }

  Status ParseRequireNamespaces(const toml::node& node) {
    const auto* b = node.as_boolean();
    if (b == nullptr) {
      return Fail(node.source(), "require_namespaces: expected true or false");
    }
    layer_.require_namespaces = b->get();
    layer_.require_namespaces_origin = At(node.source());
    return {};
  }

  Status ParseFilesystem(const toml::key& key, const toml::node& node) {
    auto table = ExpectTable(key, node);
    if (!table.ok()) {
      return table.error();
    }
    for (auto&& [k, v] : *table.value()) {
      const std::string_view name = k.str();
      Status s;
      if (name == "writable") {
        s = ExpectStringArray("filesystem.writable", v, &layer_.writable);
        layer_.writable_origin = At(k.source());
      } else if (name == "read") {
        s = ExpectStringArray("filesystem.read", v, &layer_.read);
      } else if (name == "deny_read") {
        s = ExpectStringArray("filesystem.deny_read", v, &layer_.deny_read);
      } else if (name == "protect") {
        s = ExpectStringArray("filesystem.protect", v, &layer_.protect);
      } else if (name == "unhide") {
        s = ExpectStringArray("filesystem.unhide", v, &layer_.unhide);
      } else {
        s = Unknown(k, "filesystem", "writable, read, deny_read, protect, unhide");
      }
      if (!s.ok()) {
        return s;
      }
    }
    return {};
  }

  Status ParseNetwork(const toml::key& key, const toml::node& node) {
    auto table = ExpectTable(key, node);
    if (!table.ok()) {
      return table.error();
    }
    for (auto&& [k, v] : *table.value()) {
      const std::string_view name = k.str();
      if (name == "mode") {
        auto s = ExpectString("network.mode", v, true);
        if (!s.ok()) {
          return s.error();
        }
        std::optional<NetMode> m = ParseNetMode(s.value());
        if (!m) {
          return Fail(v.source(), std::string("network.mode: expected one of ") + kNetModeChoices +
                                      " (got '" + s.value() + "')");
        }
        layer_.net = *m;
        layer_.net_origin = At(v.source());
      } else if (name == "allow") {
        CORDON_RETURN_IF_ERROR(ExpectStringArray("network.allow", v, &layer_.net_allow));
      } else if (name == "deny") {
        CORDON_RETURN_IF_ERROR(ExpectStringArray("network.deny", v, &layer_.net_deny));
      } else if (name == "allow_local") {
        CORDON_RETURN_IF_ERROR(
            ExpectStringArray("network.allow_local", v, &layer_.net_allow_local));
      } else if (name == "allow_presets") {
        CORDON_RETURN_IF_ERROR(ExpectStringArray("network.allow_presets", v, &layer_.net_presets));
      } else {
        return Unknown(k, "network", "mode, allow, deny, allow_local, allow_presets");
      }
    }
    return {};
  }

  Status ParseEnv(const toml::key& key, const toml::node& node) {
    auto table = ExpectTable(key, node);
    if (!table.ok()) {
      return table.error();
    }
    for (auto&& [k, v] : *table.value()) {
      const std::string_view name = k.str();
      if (name == "pass") {
        size_t first = layer_.env_pass.size();
        CORDON_RETURN_IF_ERROR(ExpectStringArray("env.pass", v, &layer_.env_pass));
        for (size_t i = first; i < layer_.env_pass.size(); ++i) {
          if (!IsValidEnvName(layer_.env_pass[i].value)) {
            return PlainError("config", layer_.env_pass[i].origin.Describe(),
                              "env.pass: '" + layer_.env_pass[i].value +
                                  "' is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)");
          }
        }
      } else if (name == "scrub") {
        size_t first = layer_.env_scrub.size();
        CORDON_RETURN_IF_ERROR(ExpectStringArray("env.scrub", v, &layer_.env_scrub));
        for (size_t i = first; i < layer_.env_scrub.size(); ++i) {
          if (!IsValidScrubPattern(layer_.env_scrub[i].value)) {
            return PlainError("config", layer_.env_scrub[i].origin.Describe(),
                              "env.scrub: '" + layer_.env_scrub[i].value +
                                  "' is not a valid pattern (letters, digits, '_' and '*')");
          }
        }
      } else if (name == "set") {
        auto set = ExpectTable(k, v);
        if (!set.ok()) {
          return set.error();
        }
        for (auto&& [var, value] : *set.value()) {
          std::string var_name(var.str());
          if (!IsValidEnvName(var_name)) {
            return Fail(var.source(),
                        "env.set: '" + var_name +
                            "' is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)");
          }
          auto s = ExpectString("env.set." + var_name, value, /*allow_empty=*/true);
          if (!s.ok()) {
            return s.error();
          }
          layer_.env_set.push_back(EnvSet{var_name, std::move(s).value(), At(var.source())});
        }
      } else {
        return Unknown(k, "env", "pass, set, scrub");
      }
    }
    return {};
  }

  // [limits]: memory = "4G", pids = 512, cpus = 1.5, tmp_size = "1G"; a
  // number is read as its text would be ("none" only as a string).
  Status ParseLimits(const toml::key& key, const toml::node& node) {
    auto table = ExpectTable(key, node);
    if (!table.ok()) {
      return table.error();
    }
    for (auto&& [k, v] : *table.value()) {
      const LimitSpec* spec = nullptr;
      for (const LimitSpec& s : kLimitSpecs) {
        if (k.str() == s.key) spec = &s;
      }
      if (spec == nullptr) {
        return Unknown(k, "limits", "memory, pids, cpus, tmp_size");
      }
      const std::string name = std::string("limits.") + spec->key;
      std::string text;
      if (const auto* s = v.as_string()) {
        text = s->get();
      } else if (const auto* i = v.as_integer()) {
        text = std::to_string(i->get());
      } else if (const auto* f = v.as_floating_point()) {
        // The shortest text that reads back as the same double: 0.5 is
        // "0.5", and 1e-9 is refused as text, never rounded to 0.
        char buf[64];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, f->get());
        text = ec == std::errc() ? std::string(buf, end) : "?";
      } else {
        return Fail(v.source(),
                    name + ": expected a string or a number, got " + TypeName(v.type()));
      }
      auto value = ParseLimit(spec->kind, text, name);
      if (!value.ok()) {
        return Fail(v.source(), value.error().detail);
      }
      layer_.limits[Index(spec->kind)] = LimitSetting{value.value(), At(v.source())};
    }
    return {};
  }

  // [telemetry]: where the audit trail goes. User file only: a project file
  // that could name the endpoint could send the user's audit trail away.
  Status ParseTelemetry(const toml::key& key, const toml::node& node) {
    if (layer_.kind == ConfigKind::kProject) {
      return Fail(key.source(),
                  "[telemetry] may only appear in the user config file: a project cannot redirect "
                  "the audit trail");
    }
    auto table = ExpectTable(key, node);
    if (!table.ok()) {
      return table.error();
    }
    for (auto&& [k, v] : *table.value()) {
      const std::string_view name = k.str();
      if (name == "endpoint") {
        auto s = ExpectString("telemetry.endpoint", v, /*allow_empty=*/true);
        if (!s.ok()) {
          return s.error();
        }
        if (!s.value().empty() && !s.value().starts_with("http://") &&
            !s.value().starts_with("https://")) {
          return Fail(v.source(), "telemetry.endpoint: expected an http:// or https:// URL (got '" +
                                      s.value() + "')");
        }
        layer_.telemetry_endpoint = ConfigString{s.value(), At(v.source())};
      } else if (name == "keep_days") {
        const auto* i = v.as_integer();
        if (i == nullptr || i->get() < 1 || i->get() > 36500) {
          return Fail(v.source(),
                      "telemetry.keep_days: expected a whole number of days from 1 to "
                      "36500");
        }
        layer_.keep_days = static_cast<int>(i->get());
      } else {
        return Unknown(k, "telemetry", "endpoint, keep_days");
      }
    }
    return {};
  }

  // [secrets] NAME = { env = "VAR" }: grants vault entry NAME as $VAR.
  Status ParseSecrets(const toml::key& key, const toml::node& node) {
    if (layer_.kind == ConfigKind::kProject) {
      // Even a trusted project: a repository's file must not decide which of
      // the user's credentials its commands receive.
      return Fail(key.source(),
                  "[secrets] may only appear in the user config file: a project file cannot "
                  "grant secrets (use --secret NAME or the user config)");
    }
    auto table = ExpectTable(key, node);
    if (!table.ok()) {
      return table.error();
    }
    for (auto&& [name, entry] : *table.value()) {
      std::string secret(name.str());
      if (!IsValidEnvName(secret)) {
        return Fail(name.source(), "secrets: '" + secret +
                                       "' is not a valid secret name ([A-Za-z_][A-Za-z0-9_]*)");
      }
      auto t = ExpectTable(name, entry);
      if (!t.ok()) {
        return t.error();
      }
      SecretGrant grant{secret, secret, At(name.source())};
      for (auto&& [k, v] : *t.value()) {
        if (k.str() != "env") {
          return Unknown(k, "secrets." + secret, "env");
        }
        auto env = ExpectString("secrets." + secret + ".env", v, /*allow_empty=*/false);
        if (!env.ok()) {
          return env.error();
        }
        if (!IsValidEnvName(env.value())) {
          return Fail(v.source(), "secrets." + secret + ".env: '" + env.value() +
                                      "' is not a valid variable name ([A-Za-z_][A-Za-z0-9_]*)");
        }
        grant.env = env.value();
      }
      layer_.secrets.push_back(std::move(grant));
    }
    return {};
  }

  Status ParseWorkspaces(const toml::key& key, const toml::node& node) {
    if (layer_.kind == ConfigKind::kProject) {
      return Fail(key.source(),
                  "[workspaces] may only appear in the user config file: a project cannot trust "
                  "itself");
    }
    auto table = ExpectTable(key, node);
    if (!table.ok()) {
      return table.error();
    }
    for (auto&& [path, entry] : *table.value()) {
      if (path.str().empty()) {
        return Fail(path.source(), "workspaces: empty workspace path");
      }
      auto t = ExpectTable(path, entry);
      if (!t.ok()) {
        return t.error();
      }
      WorkspaceTrust trust{std::string(path.str()), false, At(path.source())};
      for (auto&& [k, v] : *t.value()) {
        if (k.str() != "trusted") {
          return Unknown(k, "workspaces.\"" + trust.path + "\"", "trusted");
        }
        const auto* b = v.as_boolean();
        if (b == nullptr) {
          return Fail(v.source(),
                      "trusted: expected a boolean, got " + std::string(TypeName(v.type())));
        }
        trust.trusted = b->get();
        trust.origin = At(v.source());
      }
      layer_.workspaces.push_back(std::move(trust));
    }
    return {};
  }

  ConfigLayer layer_;
};

}  // namespace

Result<ConfigLayer> ParseConfig(std::string_view text, const std::string& file, ConfigKind kind) {
  if (text.size() > kMaxConfigBytes) {
    return PlainError("config", file, "file is larger than 1 MiB");
  }
  // toml++ 3.3.0 has undefined behaviour on some invalid input: screen it.
  if (auto bad = ScreenToml(text)) {
    return PlainError("config",
                      file + ":" + std::to_string(bad->line) + ":" + std::to_string(bad->column),
                      "invalid TOML: " + bad->message);
  }
  try {
    toml::table root = toml::parse(text, file);
    return LayerBuilder(file, kind).Build(root);
  } catch (const toml::parse_error& e) {
    Origin where;
    where.kind = Origin::Kind::kUserConfig;
    where.file = file;
    where.line = static_cast<int>(e.source().begin.line);
    where.column = static_cast<int>(e.source().begin.column);
    return PlainError("config", where.Describe(), "invalid TOML: " + std::string(e.description()));
  } catch (const std::exception& e) {
    return PlainError("config", file, std::string("cannot parse: ") + e.what());
  }
}

Result<std::optional<ConfigLayer>> LoadConfigFile(const std::string& path, ConfigKind kind,
                                                  bool must_exist) {
  auto read = host_fs::ReadConfigText(path, kMaxConfigBytes);
  if (read.ok() && !read.value() && must_exist) {
    read = SysError("open", path, ENOENT);
  }
  if (!read.ok()) {
    Error e = read.error();
    if (must_exist && e.op == "open") {
      e.hint = "--config names a file that must exist";
    }
    return e;
  }
  if (!read.value()) {
    return std::optional<ConfigLayer>();
  }
  const std::string& text = *read.value();
  auto layer = ParseConfig(text, path, kind);
  if (!layer.ok()) {
    return layer.error();
  }
  return std::optional<ConfigLayer>(std::move(layer).value());
}

}  // namespace cordon::policy
