// Which writable path a person may be offered: after a run failed on a
// denied write (approval policy on-failure), or when the agent asks for one
// (`cordon mcp`'s request_writable).
//
// A writable path granted by one keypress must never open what the policy
// protects, nor anything whose contents the host later runs or loads: a
// hostile command can fail on purpose after a write there, and the question
// ("re-run `pip install x` with …/site-packages writable?") looks harmless.
// So the rule is an allowlist, with refusals on top:
//
// What may be offered (and nothing else):
//   - one tool's cache: ~/.cache/TOOL, ~/.npm/_cacache, ~/.cargo/registry,
//     ~/.cargo/git, ~/go/pkg/mod, ~/.m2/repository, ~/.gradle/caches (and
//     what is inside them); not the caches that hold environments a host
//     command runs directly (~/.cache/pre-commit, ~/.cache/pipx, …);
//   - a scratch directory inside /tmp or /var/tmp (not those themselves);
//   - a project directory: under a home, the workspace or elsewhere outside
//     the system trees, with no dot-directory on the way (~/.config/nvim,
//     ~/src/p/.venv and ~/.ipython are refused by this alone).
// Refused even then:
//   - /, the home or a directory containing it, a file directly in the
//     home, the system trees (/usr, /etc, /opt, /var/lib, …);
//   - what is inside or contains a deny-read, hidden or protected path
//     (.git, .git/hooks, .envrc, .cordon.toml, --protect);
//   - a directory on the current PATH (programs the host runs) or on a
//     library path (PYTHONPATH, NODE_PATH, PERL5LIB, GEM_PATH, …), and any
//     directory containing one;
//   - named places whose contents run on the host: ~/bin, ~/go/bin, ~/perl5,
//     ~/R, ~/dotfiles, every node_modules, site-packages and dist-packages,
//     shell, editor and REPL startup and plugin directories, autostart and
//     systemd user units, git's config and templates, direnv's library
//     (most are dot-directories, named again for the reason they give);
//   - a directory holding a unix socket (a host server listens there: a
//     tmux or ssh-agent socket in /tmp/tmux-1000, /tmp/ssh-XXXX);
//   - what is writable already.
// Only a path that exists on the host is offered, and every rule holds for
// both the path as written and its real path (a symlink cannot smuggle one
// of those in). The choice is a pure function of the denied path and these
// facts; only FactsFrom looks at the host.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "policy/policy.h"

namespace cordon::approval {

struct WritableFacts {
  std::string home;
  std::string workspace;
  bool workspace_writable = true;
  std::vector<std::string> writable;   // writable roots besides the workspace
  std::vector<std::string> protect;    // protected paths, the workspace's .git included
  std::vector<std::string> deny_read;  // deny-read and hidden paths
  struct SearchDir {
    std::string dir;       // absolute
    std::string variable;  // "PATH", "PYTHONPATH", ...
  };
  // The directories the host searches for programs and libraries (the
  // current environment's PATH and library path variables).
  std::vector<SearchDir> search_dirs;
  // realpath(3): the resolved path, nullopt when it does not exist.
  std::function<std::optional<std::string>(const std::string&)> real_path;
  // stat(2) says it is a directory (tests fake it).
  std::function<bool(const std::string&)> is_directory;
  // The path is a unix socket or a directory with one among its entries
  // (tests fake it; unset: none).
  std::function<bool(const std::string&)> holds_socket;
};

// The facts of `policy` on this host (real_path is policy::RealPath,
// search_dirs come from this process's environment).
[[nodiscard]] WritableFacts FactsFrom(const policy::Policy& policy);

struct WritableOffer {
  std::string path;  // what to offer (resolved, exists); empty: nothing
  // Why nothing is offered, naming the path: "/home/u/.ssh is hidden from
  // the sandbox (deny-read /home/u/.ssh)", "/home/u/.cargo/bin holds
  // programs the host runs (it is on PATH)".
  std::string why_not;
  // The refusal is cordon's caution, not the policy: --writable PATH given
  // by the person would work (say so).
  bool flag_would_work = false;
};

// After a write to `denied` (absolute) was denied: the denied path if it
// exists on the host, else its deepest existing ancestor, if the rules above
// allow it.
[[nodiscard]] WritableOffer ChooseWritable(const std::string& denied, const WritableFacts& facts);

// An agent's request_writable entry: absolute or relative to the workspace,
// existing on the host, allowed by the rules above. Returns the resolved
// path to pass as --writable, or an error naming the entry and the reason.
[[nodiscard]] Result<std::string> CheckWritableRequest(const std::string& requested,
                                                       const WritableFacts& facts);

}  // namespace cordon::approval
