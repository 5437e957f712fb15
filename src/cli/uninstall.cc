// `cordon uninstall [--purge] [--yes]`: remove what cordon created, then
// check that none of it remains.
//
// cordon never changes a permission, owner, ACL or xattr of the user's files
// (namespaces and Landlock die with the process), so there is nothing to
// revert: what remains to remove is cordon's state directory (the vault only
// after confirmation, the event log only with --purge), the parents setup
// created for it, the package-cache layers ($XDG_CACHE_HOME/cordon), and, when this binary runs
// from a `cmake --install` prefix, the files its install manifest lists. The user's config file is
// the user's and is kept.
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/state_dirs.h"
#include "policy/caches.h"
#include "policy/paths.h"
#include "vault/store.h"

namespace cordon::cli {

namespace {

bool Lexists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// Removes `path` and everything under it (symlinks are removed, never
// followed). A missing path is fine.
Status RemoveTree(const std::string& path, std::vector<std::string>* removed) {
  if (!Lexists(path)) return {};
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return SysError("remove", path, ec.value());
  removed->push_back(path);
  return {};
}

// Asks on the terminal; false unless the answer starts with y.
bool Confirm(const std::string& question) {
  std::fprintf(stderr, "%s [y/N] ", question.c_str());
  std::fflush(stderr);
  char buf[16] = {};
  ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf - 1);
  return n > 0 && (buf[0] == 'y' || buf[0] == 'Y');
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

// The installed files of this binary, when it runs from an install prefix:
// PREFIX/share/cordon/install-manifest.txt lists them relative to PREFIX,
// this binary among them.
std::vector<std::string> InstalledFiles(std::string* prefix_out) {
  char exe[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return {};
  std::string self(exe, static_cast<size_t>(n));
  std::string bindir = self.substr(0, self.rfind('/'));
  std::string prefix = bindir.substr(0, bindir.rfind('/'));
  if (prefix.empty()) prefix = "/";
  std::vector<std::string> lines =
      ReadLines(policy::NormalizePath(prefix + "/share/cordon/install-manifest.txt"));
  std::vector<std::string> files;
  bool lists_self = false;
  for (const std::string& rel : lines) {
    std::string path = policy::NormalizePath(std::string(prefix).append("/").append(rel));
    // A manifest entry may never point outside the prefix.
    if (rel.front() == '/' || !policy::IsWithin(path, prefix) || path == prefix) return {};
    lists_self |= path == self;
    files.push_back(path);
  }
  if (!lists_self) return {};
  *prefix_out = prefix;
  return files;
}

}  // namespace

int UninstallCommand(const MaintenanceArgs& command) {
  auto host = policy::HostFacts::FromProcess();
  if (!host.ok()) {
    std::fprintf(stderr, "cordon: %s\n", host.error().Describe().c_str());
    return 1;
  }
  StateDirs dirs = StateDirs::For(host.value());
  vault::Paths vault_paths = vault::Paths::ForState(dirs.state);

  if (Lexists(vault_paths.secrets) && !command.yes) {
    if (!::isatty(STDIN_FILENO)) {
      Error e =
          PlainError("uninstall", vault_paths.dir, "the vault holds secrets; nothing was removed");
      e.hint = "confirm with --yes (the secrets cannot be recovered afterwards)";
      std::fprintf(stderr, "cordon: %s\n", e.Describe().c_str());
      return 1;
    }
    if (!Confirm("cordon: remove the vault " + vault_paths.dir +
                 " and every secret in it? This cannot be undone.")) {
      std::fprintf(stderr, "cordon: uninstall cancelled; nothing was removed\n");
      return 1;
    }
  }

  // A session left running would outlive its socket, and its sandbox its
  // uninstall.
  StopAllSessions(dirs.state);
  std::vector<std::string> removed, kept;
  std::vector<std::string> parents = ReadLines(dirs.created);
  Status s;
  // Everything in the state dir but the event log (unless --purge).
  if (Lexists(dirs.state)) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dirs.state, ec)) {
      std::string path = entry.path().string();
      if (path == dirs.events && !command.purge) {
        kept.push_back(path + " (the event log; --purge removes it)");
        continue;
      }
      if (path == dirs.created) continue;  // last: a later --purge needs it
      if (s.ok()) s = RemoveTree(path, &removed);
    }
    if (ec) s = SysError("opendir", dirs.state, ec.value());
  }
  bool state_gone = false;
  if (s.ok() && kept.empty() && Lexists(dirs.state)) {
    if (Lexists(dirs.created) && ::unlink(dirs.created.c_str()) != 0) {
      s = SysError("unlink", dirs.created, errno);
    }
    if (s.ok() && ::rmdir(dirs.state.c_str()) != 0) s = SysError("rmdir", dirs.state, errno);
    if (s.ok()) {
      removed.push_back(dirs.state);
      state_gone = true;
    }
  }
  // Parents setup created, innermost first, only when empty (something of
  // the user's may have moved in since).
  if (s.ok() && state_gone) {
    for (auto it = parents.rbegin(); it != parents.rend(); ++it) {
      if (!policy::IsWithin(dirs.state, *it)) continue;
      if (::rmdir(it->c_str()) == 0) {
        removed.push_back(*it);
      } else if (errno != ENOENT) {
        kept.push_back(*it + " (not empty)");
      }
    }
  }
  // The package-cache layers (docs/caches.md): runs' writes, never the
  // user's own caches.
  if (s.ok()) {
    std::string layers = policy::CacheLayersRoot(host.value());
    s = RemoveTree(layers.substr(0, layers.rfind('/')), &removed);
  }
  std::string prefix;
  std::vector<std::string> installed = InstalledFiles(&prefix);
  for (const std::string& f : installed) {
    if (!s.ok()) break;
    if (::unlink(f.c_str()) == 0) {
      removed.push_back(f);
    } else if (errno != ENOENT) {
      s = SysError("unlink", f, errno);
    }
  }
  if (s.ok() && !installed.empty()) {
    for (const char* dir : {"/share/cordon", "/share/doc/cordon"}) {
      std::string path = prefix + dir;
      if (::rmdir(path.c_str()) == 0) removed.push_back(path);
    }
  }

  for (const std::string& r : removed) std::printf("removed %s\n", r.c_str());
  for (const std::string& k : kept) std::printf("kept    %s\n", k.c_str());
  std::string config = policy::NormalizePath(host.value().xdg_config_home + "/cordon");
  if (Lexists(config))
    std::printf("kept    %s (your config; cordon never writes it)\n", config.c_str());
  if (!s.ok()) {
    std::fprintf(stderr, "cordon: %s\n", s.error().Describe().c_str());
    return 1;
  }

  // The check: nothing that was removed is still there.
  std::vector<std::string> remaining;
  for (const std::string& r : removed) {
    if (Lexists(r)) remaining.push_back(r);
  }
  if (!command.purge && Lexists(dirs.events)) {
    // Only the event log may remain.
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dirs.state, ec)) {
      std::string path = entry.path().string();
      if (path != dirs.events && path != dirs.created) remaining.push_back(path);
    }
  } else if (Lexists(dirs.state)) {
    remaining.push_back(dirs.state);
  }
  if (!remaining.empty()) {
    for (const std::string& r : remaining)
      std::fprintf(stderr, "cordon: still present: %s\n", r.c_str());
    return 1;
  }
  std::printf("verified: %s\n", removed.empty() ? "cordon had nothing installed here"
                                                : "none of the removed files remains");
  return 0;
}

}  // namespace cordon::cli
