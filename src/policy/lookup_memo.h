// What a policy resolution looked at on the host, for the `cordon session`
// daemon (session_policy_cache.h): it keeps a resolution while nothing that
// resolution looked at has changed, so it needs the list of paths, and it
// resolves on a thread per client, so the list is per thread.
//
// A LookupMemo is active on its thread while it lives; the daemon makes one
// around each resolution it may keep. paths-unix.cc and host_fs-unix.cc
// look at the host through StatPath, ReadablePath and NoteRead below, so
// while a memo is active it records each path they are asked about
// (`looked_at`) and each file read or directory listed (`read`), and
// answers what it can:
//   - a path looked up before gets the same answer (stat and lstat kept
//     apart);
//   - a path under one whose lookup failed with ENOENT or ENOTDIR is
//     missing without a lookup: the kernel's walk to it would stop at that
//     component the same way.
// Nothing else is inferred (no directory listing: a case-insensitive
// directory would answer a name the listing does not hold). Whatever in
// src/policy looks at the host other than through these tells the memo
// itself (the root-only walk names each directory it lists).
//
// Not used by `cordon run`: there the maps cost more instructions (about
// 0.19 M a run, callgrind) than the 40 system calls they save.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
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
  // Remembers what the kernel said of `path`.
  Stat Remember(std::unordered_map<std::string, Stat>& known, const std::string& path, Stat s);

  std::unordered_map<std::string, Stat> lstat_, stat_;
  // The paths above found missing (ENOENT, ENOTDIR): views of the maps'
  // keys, which do not move.
  std::unordered_set<std::string_view> missing_;
  std::unordered_map<std::string, bool> readable_;
  std::vector<std::string> looked_at_, read_;
  LookupMemo* outer_;
  int answered_ = 0;
  int asked_ = 0;
};

// lstat(2) (`follow` false) or stat(2) of `path`: the active memo's
// answer, else the kernel's.
[[nodiscard]] LookupMemo::Stat StatPath(const std::string& path, bool follow);
// access(path, R_OK) == 0: the active memo's answer, else the kernel's.
[[nodiscard]] bool ReadablePath(const std::string& path);
// A file read or a directory listed, for the active memo's record.
void NoteRead(const std::string& path);

}  // namespace cordon::policy
