// Environment scrubbing and the sandbox's envp.
#include "policy/env.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <iterator>
#include <set>

#include "policy/secret_values.h"

namespace cordon::policy {

namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

bool IsValidEnvName(std::string_view name) {
  if (name.empty() || !IsNameStart(name.front())) {
    return false;
  }
  for (char c : name) {
    if (!IsNameChar(c)) {
      return false;
    }
  }
  return true;
}

bool IsValidScrubPattern(std::string_view pattern) {
  if (pattern.empty()) {
    return false;
  }
  for (char c : pattern) {
    if (!IsNameChar(c) && c != '*') {
      return false;
    }
  }
  return true;
}

namespace {

// Secrets hide in lower case too (github_token, openai_api_key): scrub
// patterns ignore ASCII case.
bool SameLetter(char a, char b) {
  auto upper = [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; };
  return upper(a) == upper(b);
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view name) {
  // Iterative matcher with one backtrack point: linear in practice, never
  // exponential on patterns like "*a*a*a*b".
  size_t p = 0, n = 0;
  size_t star = std::string_view::npos, resume = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = n;
    } else if (p < pattern.size() && SameLetter(pattern[p], name[n])) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') {
    ++p;
  }
  return p == pattern.size();
}

bool IsScrubbed(const Policy& policy, std::string_view name) {
  for (const EnvPass& pass : policy.env_pass) {
    if (pass.name == name) {
      return false;
    }
  }
  for (const std::string& pattern : policy.scrub_patterns) {
    if (GlobMatch(pattern, name)) {
      return true;
    }
  }
  return false;
}

std::optional<std::string> ScrubReason(const Policy& policy, std::string_view name,
                                       std::string_view value) {
  for (const EnvPass& pass : policy.env_pass) {
    if (pass.name == name) {
      return std::nullopt;
    }
  }
  for (const std::string& pattern : policy.scrub_patterns) {
    if (GlobMatch(pattern, name)) {
      return "name matches " + pattern;
    }
  }
  if (std::optional<std::string_view> shape = SecretValueShape(value)) {
    return "value looks like a " + std::string(*shape);
  }
  return std::nullopt;
}

namespace {

// Calls `visit(name, value, entry)` for each host variable that the
// sandbox's environment would take from the host: entries without '=' and
// repeated names (after the first) are skipped, and so are the names that
// cordon sets itself (TMPDIR, env_set) or always removes (XDG_RUNTIME_DIR,
// hidden in the sandbox).
void ForEachHostVariable(
    const Policy& policy, char** host_env,
    const std::function<void(std::string_view, std::string_view, std::string_view)>& visit) {
  std::set<std::string, std::less<>> seen;
  std::set<std::string, std::less<>> overridden = {"TMPDIR", "XDG_RUNTIME_DIR"};
  for (const EnvSet& set : policy.env_set) {
    overridden.insert(set.name);
  }
  for (char** entry = host_env; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view kv(*entry);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      continue;
    }
    std::string_view name = kv.substr(0, eq);
    if (!seen.insert(std::string(name)).second || overridden.count(name) != 0) {
      continue;
    }
    visit(name, kv.substr(eq + 1), kv);
  }
}

}  // namespace

std::vector<ScrubbedVariable> ScrubbedVariables(const Policy& policy, char** host_env) {
  std::vector<ScrubbedVariable> out;
  ForEachHostVariable(policy, host_env,
                      [&](std::string_view name, std::string_view value, std::string_view) {
                        if (std::optional<std::string> why = ScrubReason(policy, name, value)) {
                          out.push_back({std::string(name), std::move(*why)});
                        }
                      });
  return out;
}

std::vector<std::string> BuildEnvironment(const Policy& policy, char** host_env) {
  std::vector<std::string> out;
  ForEachHostVariable(policy, host_env,
                      [&](std::string_view name, std::string_view value, std::string_view kv) {
                        if (!ScrubReason(policy, name, value)) {
                          out.emplace_back(kv);
                        }
                      });
  // The private /tmp always exists; a host TMPDIR may not exist inside.
  bool tmpdir_set = false;
  for (const EnvSet& set : policy.env_set) {
    tmpdir_set |= set.name == "TMPDIR";
  }
  if (!tmpdir_set) {
    out.emplace_back("TMPDIR=/tmp");
  }
  for (const EnvSet& set : policy.env_set) {
    out.push_back(set.name + "=" + set.value);
  }
  return out;
}

// Both spellings of every proxy variable, pointing at the sandbox's own
// loopback; whatever the host had is replaced. NO_PROXY keeps the sandbox's
// own loopback direct: servers a command starts for itself, and the
// allow_local relays (local_relay.h), which any client reaches there.
void SetProxyEnvironment(std::vector<std::string>& envp, uint16_t port) {
  static constexpr const char* kNames[] = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"};
  auto is_proxy_var = [](const std::string& entry) {
    std::string name = entry.substr(0, entry.find('='));
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return std::any_of(std::begin(kNames), std::end(kNames),
                       [&](const char* n) { return name == n; });
  };
  std::erase_if(envp, is_proxy_var);
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  for (const char* name : kNames) {
    std::string value = std::string_view(name) == "NO_PROXY" ? "localhost,127.0.0.1,::1" : url;
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    envp.push_back(std::string(name).append("=").append(value));
    envp.push_back(lower.append("=").append(value));
  }
}

void AddVariables(std::vector<std::string>& envp, const std::vector<std::string>& entries) {
  for (const std::string& entry : entries) {
    const std::string prefix = entry.substr(0, entry.find('=') + 1);
    std::erase_if(envp, [&](const std::string& e) { return e.starts_with(prefix); });
    envp.push_back(entry);
  }
}

}  // namespace cordon::policy
