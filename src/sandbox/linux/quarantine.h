// Quarantine: missing protected paths in the work tree that a run created
// are moved out of the tree once it ends.
//
// A read-only bind needs something to mount on, and a placeholder made on
// the host for it would show in `git status`, be committed by `git add -A`,
// stashed by `git stash -u`, and keep `git clean` busy. So a protected path
// that is missing when the run starts (WS/.envrc, WS/.cordon.toml, a
// --protect path, an agent's config file) gets no placeholder: its name is
// recorded in a per-run file under cordon's state
// ($XDG_STATE_HOME/cordon/quarantine/run-XXXXXX.pending), and whatever the
// run created under that name is moved into run-XXXXXX/ after the run,
// never following a symlink. The record is held with flock(LOCK_EX) for the
// run's length; a record whose lock is free belongs to a supervisor that was
// killed, and the next run finishes it (RecoverAbandoned).
//
// Paths inside a git directory keep their placeholders (placeholders.h):
// git never lists what is inside .git.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "sandbox/backend.h"

namespace cordon::sandbox {

struct WatchedPath {
  std::string path;  // absolute, parents' symlinks resolved when planned
  std::string why;   // "direnv's .envrc", "Codex config: ..."
  bool operator==(const WatchedPath&) const = default;
};

class Quarantine {
 public:
  Quarantine() = default;
  Quarantine(Quarantine&&) = default;
  Quarantine& operator=(Quarantine&&) = default;
  Quarantine(const Quarantine&) = delete;
  Quarantine& operator=(const Quarantine&) = delete;

  // Records `watched` (the paths missing now) in a new file under `root`,
  // created 0700 with its missing parents. Fails when the record
  // cannot be written (then nothing would be moved after the run).
  [[nodiscard]] static Result<Quarantine> Begin(const std::vector<WatchedPath>& watched,
                                                const std::string& root);

  // Moves every recorded path that exists now into the run's directory
  // (made then) and drops the record. One
  // report per path that existed (moved, or the error that kept it).
  std::vector<QuarantineReport> Finish();

  [[nodiscard]] bool active() const { return lock_.valid(); }
  // The record's locked descriptor (owned here), for the sandbox's init to
  // hold too; -1 when not active.
  [[nodiscard]] int lock_fd() const { return lock_.get(); }

 private:
  friend std::vector<QuarantineReport> RecoverAbandoned(const std::string& root);

  std::string dir_;     // root/run-XXXXXX: where moved paths go
  std::string record_;  // root/run-XXXXXX.pending (an older cordon's: dir_/pending)
  std::vector<WatchedPath> watched_;
  UniqueFd lock_;  // record_, flock(LOCK_EX) while the run lasts
};

// Finishes the records under `root` that no live run holds (their
// supervisor was killed): what those runs created is moved away now.
[[nodiscard]] std::vector<QuarantineReport> RecoverAbandoned(const std::string& root);

}  // namespace cordon::sandbox
