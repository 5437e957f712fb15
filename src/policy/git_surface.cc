// The repository's code-execution surface; see git_surface.h.
#include "policy/git_surface.h"

#include <algorithm>

#include "policy/git_config.h"
#include "policy/host_fs.h"
#include "policy/paths.h"

namespace cordon::policy {
namespace {

constexpr size_t kMaxFileBytes = 1 << 20;  // git config files are small
constexpr int kMaxIncludeDepth = 10;       // git's own limit (config.c)
constexpr int kMaxModuleDepth = 4;         // submodule names may hold '/'
constexpr size_t kMaxDirEntries = 512;     // per worktrees/ or modules/ level

bool IsDir(const std::string& path) {
  return host_fs::KindFollowing(path) == host_fs::Kind::kDirectory;
}

bool IsFile(const std::string& path) {
  return host_fs::KindFollowing(path) == host_fs::Kind::kFile;
}

// The first kMaxFileBytes of a regular file; empty when unreadable (a FIFO
// planted under a config name does not block: host_fs.h).
std::string ReadSmallFile(const std::string& path) {
  return host_fs::ReadSmallFile(path, kMaxFileBytes);
}

std::vector<std::string> ListDir(const std::string& path) {
  return host_fs::ListDir(path, kMaxDirEntries);
}

// The first line of a file such as .git ("gitdir: X") or commondir ("X"),
// made absolute relative to `base`; empty if none.
std::string ReadPointer(const std::string& file, const std::string& base, std::string_view prefix) {
  std::string text = ReadSmallFile(file);
  std::string line = text.substr(0, text.find('\n'));
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  if (!line.starts_with(prefix)) return {};
  line.erase(0, prefix.size());
  if (line.empty() || line.find('\0') != std::string::npos) return {};
  return NormalizePath(IsAbsolutePath(line) ? line : base + "/" + line);
}

class Walker {
 public:
  Walker(const std::string& workspace, const GitHost& host) : ws_(workspace), host_(host) {}

  std::vector<GitProtect> Run() {
    const std::string dotgit = ws_ + "/.git";
    const host_fs::Kind kind = host_fs::KindOf(dotgit);
    if (kind == host_fs::Kind::kMissing) return {};
    std::string gitdir;
    if (kind == host_fs::Kind::kFile) {
      // A linked worktree or a submodule: the file names the git dir.
      Add(dotgit, false, "git dir pointer (.git file)");
      gitdir = ReadPointer(dotgit, ws_, "gitdir: ");
    } else if (kind == host_fs::Kind::kDirectory) {
      gitdir = dotgit;
    } else {
      return {};
    }
    if (!gitdir.empty()) GitDir(gitdir, 0);
    Submodules(ws_);
    HostConfigs();
    return std::move(out_);
  }

 private:
  void Add(const std::string& path, bool is_dir, std::string why) {
    if (out_.size() >= kMaxGitProtects) return;
    std::string p = InRealParent(path);
    for (const auto& g : out_) {
      if (g.path == p) return;
    }
    out_.push_back({std::move(p), is_dir, std::move(why)});
  }

  // One git directory and what hangs off it.
  void GitDir(const std::string& dir, int depth) {
    if (!IsDir(dir) || depth > kMaxModuleDepth) return;
    if (std::find(seen_.begin(), seen_.end(), dir) != seen_.end()) return;
    seen_.push_back(dir);
    Add(dir + "/config", false, "git config");
    Add(dir + "/config.worktree", false, "git per-worktree config");
    Add(dir + "/commondir", false, "git common dir pointer");
    Add(dir + "/hooks", true, "git hooks");
    Config(dir + "/config", 0);
    Config(dir + "/config.worktree", 0);
    // commondir redirects config, hooks, refs and objects (setup.c).
    std::string common = ReadPointer(dir + "/commondir", dir, "");
    if (!common.empty() && common != dir) GitDir(common, depth + 1);
    // Linked worktrees' admin dirs: each has its own commondir and
    // config.worktree (worktree.c).
    for (const std::string& id : ListDir(dir + "/worktrees")) {
      std::string admin = dir;
      admin.append("/worktrees/").append(id);
      if (!IsDir(admin)) continue;
      Add(admin + "/commondir", false, "git common dir pointer (linked worktree)");
      Add(admin + "/config.worktree", false, "git per-worktree config (linked worktree)");
      Add(admin + "/gitdir", false, "git worktree location (linked worktree)");
      Config(admin + "/config.worktree", 0);
    }
    Modules(dir + "/modules", depth + 1);
  }

  // Submodule git dirs: modules/NAME, where NAME may hold slashes.
  void Modules(const std::string& dir, int depth) {
    if (depth > kMaxModuleDepth) return;
    for (const std::string& name : ListDir(dir)) {
      std::string sub = dir;
      sub.append("/").append(name);
      if (!IsDir(sub)) continue;
      if (IsFile(sub + "/HEAD") || IsFile(sub + "/config")) {
        GitDir(sub, depth);
      } else {
        Modules(sub, depth + 1);
      }
    }
  }

  // Submodules checked out in the workspace: their .git file (or embedded
  // git dir) is what the host's git status recurses into.
  void Submodules(const std::string& top) {
    for (const auto& e : git_config::Parse(ReadSmallFile(top + "/.gitmodules"))) {
      if (!e.key.starts_with("submodule.") || !e.key.ends_with(".path") || e.value.empty() ||
          IsAbsolutePath(e.value)) {
        continue;
      }
      std::string path = NormalizePath(top + "/" + e.value);
      if (!IsWithin(path, top) || path == top) continue;
      std::string dotgit = path + "/.git";
      const host_fs::Kind kind = host_fs::KindOf(dotgit);
      if (kind == host_fs::Kind::kFile) {
        Add(dotgit, false, "submodule git dir pointer (.git file)");
        std::string gitdir = ReadPointer(dotgit, path, "gitdir: ");
        if (!gitdir.empty()) GitDir(gitdir, 1);
      } else if (kind == host_fs::Kind::kDirectory) {
        GitDir(dotgit, 1);
      }
    }
  }

  // The config files git reads besides the repository's (config.c).
  void HostConfigs() {
    if (!host_.git_config_nosystem) {
      Config(host_.git_config_system.empty() ? "/etc/gitconfig" : host_.git_config_system, 0);
    }
    if (!host_.git_config_global.empty()) {
      Config(host_.git_config_global, 0);
    } else {
      Config(host_.xdg_config_home + "/git/config", 0);
      Config(host_.home + "/.gitconfig", 0);
    }
  }

  // Expands "~/" and makes a relative path absolute from `base`.
  std::string Resolve(const std::string& raw, const std::string& base) const {
    if (raw.starts_with("~/")) return NormalizePath(host_.home + raw.substr(1));
    if (IsAbsolutePath(raw)) return NormalizePath(raw);
    return NormalizePath(base + "/" + raw);
  }

  void Config(const std::string& file, int depth) {
    if (depth > kMaxIncludeDepth) return;
    if (depth == 0) {
      if (std::find(read_.begin(), read_.end(), file) != read_.end()) return;
      read_.push_back(file);
    }
    for (const auto& e : git_config::Parse(ReadSmallFile(file))) {
      if (e.value.empty()) continue;
      switch (git_config::Classify(e.key, e.value)) {
        case git_config::Use::kInclude: {
          // Relative to the including file's directory (config.c); the
          // includeIf condition is not evaluated: every target counts.
          std::string target = Resolve(e.value, ParentPath(file));
          Add(target, false, e.key + " of " + file);
          if (std::find(read_.begin(), read_.end(), target) == read_.end()) {
            read_.push_back(target);
            Config(target, depth + 1);
          }
          break;
        }
        case git_config::Use::kHooksDir:
          // A relative hooksPath is taken from the worktree's top level.
          Add(Resolve(e.value, ws_), true, "core.hooksPath of " + file);
          break;
        case git_config::Use::kCommand:
          for (const std::string& word : git_config::PathWords(e.value)) {
            // Programs named by path; relative ones run from the worktree's
            // top level. Only files that exist: a directory or a missing
            // name is no program git runs.
            std::string path = Resolve(word, ws_);
            if (IsFile(path)) Add(path, false, e.key + " of " + file);
          }
          break;
        case git_config::Use::kNone:
          break;
      }
    }
  }

  const std::string& ws_;
  const GitHost& host_;
  std::vector<GitProtect> out_;
  std::vector<std::string> seen_;  // git dirs walked
  std::vector<std::string> read_;  // config files read
};

}  // namespace

std::vector<GitProtect> GitSurface(const std::string& workspace, const GitHost& host) {
  return Walker(workspace, host).Run();
}

std::optional<std::string> GitTopLevel(const std::string& dir, const std::string& home) {
  std::string at = NormalizePath(dir);
  const std::optional<uint64_t> here = host_fs::FileSystemOf(at);
  if (!here) return std::nullopt;
  for (;;) {
    if (at == home || IsWithin(home, at)) return std::nullopt;
    const std::string dotgit = at.back() == '/' ? at + ".git" : at + "/.git";
    const host_fs::Kind kind = host_fs::KindOf(dotgit);
    if (kind == host_fs::Kind::kDirectory && IsFile(dotgit + "/HEAD")) return at;
    if (kind == host_fs::Kind::kFile && !ReadPointer(dotgit, at, "gitdir: ").empty()) return at;
    if (IsRootPath(at)) return std::nullopt;
    const std::string up = ParentPath(at);
    if (host_fs::FileSystemOf(up) != here) return std::nullopt;
    at = up;
  }
}

std::vector<std::string> GitDirsOutside(const std::string& workspace) {
  std::vector<std::string> out;
  const std::string dotgit = workspace + "/.git";
  if (host_fs::KindOf(dotgit) != host_fs::Kind::kFile) return out;
  std::string gitdir = ReadPointer(dotgit, workspace, "gitdir: ");
  if (gitdir.empty() || !IsDir(gitdir)) return out;
  gitdir = RealPath(gitdir).value_or(gitdir);
  std::string common = ReadPointer(gitdir + "/commondir", gitdir, "");
  if (!common.empty() && IsDir(common)) common = RealPath(common).value_or(common);
  for (const std::string& d : {gitdir, common}) {
    if (d.empty() || !IsDir(d) || IsWithin(d, workspace)) continue;
    // The common dir holds the worktree's admin dir: one writable root.
    if (std::any_of(out.begin(), out.end(), [&](const auto& o) { return IsWithin(d, o); })) {
      continue;
    }
    std::erase_if(out, [&](const std::string& o) { return IsWithin(o, d); });
    out.push_back(d);
  }
  return out;
}

}  // namespace cordon::policy
