// PresetDomains and PresetChoices (net_rules.h): the named domain lists
// that [network] allow_presets expands to.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/net_rules.h"

namespace cordon::policy {
namespace {

struct Preset {
  const char* name;
  std::vector<std::string> domains;
};

const std::vector<Preset>& Presets() {
  // Keep in sync with docs/config.md ("Presets").
  static const std::vector<Preset> kPresets = {
      {"github",
       {"github.com", "*.github.com", "codeload.github.com", "*.githubusercontent.com", "ghcr.io"}},
      {"gitlab", {"gitlab.com", "*.gitlab.com", "registry.gitlab.com"}},
      {"pypi", {"pypi.org", "files.pythonhosted.org", "pypi.python.org"}},
      {"npm", {"registry.npmjs.org", "registry.yarnpkg.com", "repo.yarnpkg.com"}},
      {"crates", {"crates.io", "static.crates.io", "index.crates.io"}},
      {"rustup", {"static.rust-lang.org", "sh.rustup.rs"}},
      {"go", {"proxy.golang.org", "sum.golang.org", "index.golang.org"}},
      {"rubygems", {"rubygems.org", "index.rubygems.org"}},
      {"maven", {"repo.maven.apache.org", "repo1.maven.org"}},
      {"debian", {"deb.debian.org", "security.debian.org"}},
  };
  return kPresets;
}

}  // namespace

std::optional<std::vector<std::string>> PresetDomains(std::string_view name) {
  for (const Preset& p : Presets()) {
    if (name == p.name) {
      return p.domains;
    }
  }
  return std::nullopt;
}

std::string PresetChoices() {
  std::string out;
  for (const Preset& p : Presets()) {
    out += (out.empty() ? "" : ", ") + std::string(p.name);
  }
  return out;
}

}  // namespace cordon::policy
