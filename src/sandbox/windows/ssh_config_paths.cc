// Paths named by an OpenSSH client configuration (see ssh_config_paths.h).
#include "sandbox/windows/ssh_config_paths.h"

#include <algorithm>
#include <array>
#include <utility>

namespace cordon::sandbox::windows {
namespace {

constexpr std::array<std::string_view, 10> kFileDirectives = {
    "certificatefile",    "controlpath",    "globalknownhostsfile", "identityagent",
    "identityfile",       "pkcs11provider", "revokedhostkeys",      "securitykeyprovider",
    "userknownhostsfile", "xauthlocation"};
constexpr std::array<std::string_view, 3> kCommandDirectives = {"knownhostscommand", "localcommand",
                                                                "proxycommand"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// ssh_config's words: whitespace-separated, '#' starts a comment outside
// quotes, double quotes group.
std::vector<std::string> Words(std::string_view line) {
  std::vector<std::string> out;
  std::string word;
  bool quoted = false;
  bool in_word = false;
  for (char c : line) {
    if (!quoted && c == '#') break;
    if (c == '"') {
      quoted = !quoted;
      in_word = true;
      continue;
    }
    if (!quoted && (c == ' ' || c == '\t' || c == '\r')) {
      if (in_word) out.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    word.push_back(c);
    in_word = true;
  }
  if (in_word) out.push_back(std::move(word));
  return out;
}

bool IsAbsolute(std::string_view p) {
  return (p.size() >= 3 && p[1] == ':' && (p[2] == '\\' || p[2] == '/')) ||
         p.substr(0, 2) == "\\\\" || p.substr(0, 2) == "//";
}

// Cuts a path at its first component holding a token or a wildcard.
std::string CutAtToken(std::string p) {
  const size_t special = p.find_first_of("%*?[");
  if (special == std::string::npos) return p;
  const size_t sep = p.find_last_of("\\/", special);
  return sep == std::string::npos ? std::string() : p.substr(0, sep);
}

// The full paths one argument may name: "" for none.
std::vector<std::string> Resolve(std::string_view arg, std::string_view profile,
                                 std::string_view ssh_dir, bool relative_ok, bool cut = true) {
  const auto finish = [cut](std::string p) { return cut ? CutAtToken(std::move(p)) : p; };
  if (arg.empty() || Lower(arg) == "none") return {};
  for (std::string_view home : {"~", "%d", "${HOME}"}) {
    if (arg == home) return {std::string(profile)};
    if (arg.size() > home.size() && arg.substr(0, home.size()) == home &&
        (arg[home.size()] == '/' || arg[home.size()] == '\\')) {
      return {finish(std::string(profile) + "\\" + std::string(arg.substr(home.size() + 1)))};
    }
  }
  if (IsAbsolute(arg)) return {finish(std::string(arg))};
  if (!relative_ok) return {};
  return {finish(std::string(ssh_dir) + "\\" + std::string(arg)),
          finish(std::string(profile) + "\\" + std::string(arg))};
}

}  // namespace

SshConfigPaths SshConfigPathsOf(std::string_view config_text, std::string_view profile,
                                std::string_view ssh_dir) {
  SshConfigPaths out;
  const auto add = [&](std::vector<std::string>* to, std::vector<std::string> paths) {
    for (std::string& p : paths) {
      if (!p.empty()) to->push_back(std::move(p));
    }
  };
  while (!config_text.empty()) {
    const size_t nl = config_text.find('\n');
    const std::string_view line = config_text.substr(0, nl);
    config_text = nl == std::string_view::npos ? "" : config_text.substr(nl + 1);
    std::vector<std::string> words = Words(line);
    if (words.empty()) continue;
    // "Key=value" and "Key = value" are "Key value".
    std::string key = words[0];
    std::vector<std::string> args(words.begin() + 1, words.end());
    const size_t eq = key.find('=');
    if (eq != std::string::npos) {
      if (eq + 1 < key.size()) args.insert(args.begin(), key.substr(eq + 1));
      key.resize(eq);
    } else if (!args.empty() && args[0].rfind('=', 0) == 0) {
      args[0].erase(0, 1);
      if (args[0].empty()) args.erase(args.begin());
    }
    key = Lower(key);
    if (key == "include") {
      for (const std::string& a : args) {
        // The pattern itself, for the caller to expand (relative to ~/.ssh,
        // as OpenSSH takes it); its fixed part is among the paths.
        std::vector<std::string> full = Resolve(a, profile, ssh_dir, true);
        if (!full.empty()) {
          const bool relative = full.size() == 2;
          out.includes.push_back(relative ? std::string(ssh_dir) + "\\" + a
                                          : Resolve(a, profile, ssh_dir, true, false)[0]);
        }
        add(&out.paths, std::move(full));
      }
    } else if (std::find(kFileDirectives.begin(), kFileDirectives.end(), key) !=
               kFileDirectives.end()) {
      for (const std::string& a : args) add(&out.paths, Resolve(a, profile, ssh_dir, true));
    } else if (std::find(kCommandDirectives.begin(), kCommandDirectives.end(), key) !=
               kCommandDirectives.end()) {
      // Only explicit paths in a command line: its other words are not
      // files.
      for (const std::string& a : args) {
        for (const std::string& w : Words(a)) add(&out.paths, Resolve(w, profile, ssh_dir, false));
      }
    }
  }
  return out;
}

}  // namespace cordon::sandbox::windows
