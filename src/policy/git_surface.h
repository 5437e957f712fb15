// git_surface: the files and directories of a workspace's repository that
// decide which code the host's git runs and which config files it reads.
//
// A sandboxed command may write the workspace, and git on the host trusts
// what it finds there. Every path returned here is made read-only for the
// run (missing ones cannot be created), so no write from the sandbox changes
// what any git command on the host executes. The list is derived from git's
// source (setup.c, path.c, config.c, hook.c, submodule.c, worktree.c of git
// 2.39.5 and 2.55); docs/threat-model.md spells it out.
//
// For each git directory G of the repository (the workspace's .git, the
// directory a .git file points to, its common dir, every linked worktree's
// admin dir under worktrees/, every submodule's under modules/):
//   G/config, G/config.worktree, G/commondir, G/hooks;
// plus the workspace's .git file (it names G) and each submodule's .git file,
// the core.hooksPath directory, every include.path / includeIf target, and
// every file that a command-valued variable (core.fsmonitor, core.pager,
// filters, textconv, aliases, credential helpers ...) names by path, taken
// from every config file git reads (system, global, repository, worktree,
// includes).
//
// The rest of G stays writable: objects, refs, logs, the index, HEAD and the
// state of a merge or rebase are what git itself writes in ordinary work.
//
// The files read may have been written by an earlier sandboxed run, so the
// walk is bounded (depth, entry counts, file sizes) and never fails.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace cordon::policy {

struct GitProtect {
  std::string path;     // absolute, normalized; symlinks in its parent resolved
  bool is_dir = false;  // what stands in for it when it is missing
  std::string why;      // "git hooks", "include.path of ~/.gitconfig", ...
};

struct GitHost {
  std::string home;
  std::string xdg_config_home;
  // git's own overrides, as the host's git would see them.
  std::string git_config_global;  // $GIT_CONFIG_GLOBAL
  std::string git_config_system;  // $GIT_CONFIG_SYSTEM
  bool git_config_nosystem = false;
};

// Bounds on what one workspace can make cordon read and protect.
inline constexpr size_t kMaxGitProtects = 256;

[[nodiscard]] std::vector<GitProtect> GitSurface(const std::string& workspace, const GitHost& host);

// The top level of the git work tree that holds `dir` (absolute), found as
// git's discovery finds it, without running git: the nearest directory at or
// above `dir` holding a `.git` that is a git directory (it has HEAD) or a
// `.git` file ("gitdir: ..."; a linked worktree or a submodule, whose top
// level is the directory holding that file). The walk stops below `home`
// (a home kept in git is not a project) and at a filesystem boundary, as
// git does without GIT_DISCOVERY_ACROSS_FILESYSTEM.
[[nodiscard]] std::optional<std::string> GitTopLevel(const std::string& dir,
                                                     const std::string& home);

// The git directories outside `workspace` that its repository works in:
// the directory its `.git` file names (a linked worktree's admin dir, a
// submodule's git dir) and that one's common dir. Empty for an ordinary
// repository (its .git is inside) or none. Symlinks resolved.
[[nodiscard]] std::vector<std::string> GitDirsOutside(const std::string& workspace);

}  // namespace cordon::policy
