// What one policy resolution learns of the host's paths, so that it asks
// the kernel once. A resolution looks up the same paths many times (the
// workspace, its .git, every deny-read path against every rule and cache)
// and many paths under one that does not exist (~/.cargo/credentials when
// there is no ~/.cargo): each lookup was a system call, and on a
// paravirtualized guest a system call is a trip to the hypervisor
// (bench/README.md, issue 16).
//
// A LookupMemo is active on its thread while it lives (the session daemon
// resolves for several clients at once, a thread each). While one is
// active, paths-unix.cc and host_fs-unix.cc answer from it:
//   - a path looked up before gets the same answer (stat and lstat kept
//     apart);
//   - a path under one whose lookup failed with ENOENT or ENOTDIR is
//     missing without a lookup: the kernel's walk to it would stop at that
//     component the same way.
// Nothing else is inferred (no directory listing: a case-insensitive
// directory would answer a name the listing does not hold). Only the
// resolution itself is inside a memo: it creates nothing, and it is one
// snapshot of the host however it is taken; what runs the sandbox looks
// again (placeholders, the mount view's opens).
//
// A memo also records every path the resolution looked at, read or listed
// (`looked_at`, `read`), for the `cordon session` daemon, which watches them to
// know when a resolution it keeps may no longer hold (session_policy_cache.h).
// Whatever in src/policy looks at the host other than through host_fs.h
// and paths.h tells the memo itself (the root-only walk names each
// directory it lists).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace cordon::policy {

class LookupMemo {
 public:
  // What a stat or lstat said: err is 0 or its errno; mode and dev when 0.
  struct Stat {
    int err = 0;
    uint32_t mode = 0;
    uint64_t dev = 0;
  };

  LookupMemo();
  ~LookupMemo();
  LookupMemo(const LookupMemo&) = delete;
  LookupMemo& operator=(const LookupMemo&) = delete;

  // The memo active on this thread, or null.
  static LookupMemo* Active();

  // stat(2) (follow) or lstat(2) of `path`, remembered.
  Stat Lookup(const std::string& path, bool follow);
  // access(path, R_OK) == 0, remembered.
  bool Readable(const std::string& path);
  // realpath(3) of `path`, remembered; nullopt when it does not resolve.
  std::optional<std::string> RealPath(const std::string& path);

  // A file read or a directory listed: recorded, not remembered.
  void Touch(const std::string& path) { read_.push_back(path); }
  // A path looked at without a lookup of the memo's (its own walk's).
  void Saw(const std::string& path) { looked_at_.push_back(path); }
  // Every path looked up (its kind, its permissions, where it leads), and
  // every file read or directory listed (its content too), with repeats.
  [[nodiscard]] const std::vector<std::string>& looked_at() const { return looked_at_; }
  [[nodiscard]] const std::vector<std::string>& read() const { return read_; }

  // Lookups the memo answered without the kernel, and those it passed on:
  // for the tests and the benchmark's notes.
  [[nodiscard]] int answered() const { return answered_; }
  [[nodiscard]] int asked() const { return asked_; }

 private:
  // True when a component above `path` is known not to be there.
  bool UnderMissing(const std::string& path) const;

  std::unordered_map<std::string, Stat> lstat_, stat_;
  std::unordered_map<std::string, bool> readable_;
  std::unordered_map<std::string, std::optional<std::string>> real_;
  std::vector<std::string> looked_at_, read_;
  LookupMemo* outer_;
  int answered_ = 0;
  int asked_ = 0;
};

}  // namespace cordon::policy
