// The vault's file operations, one interface over two halves (internal to
// src/vault; store.cc's read-modify-write is written against it).
//
// store-unix.cc: 0600 files in a 0700 directory owned by the user, flock on
// the lock file, write + fsync + rename + directory fsync.
// store-win32.cc: files and directory under a protected DACL (the user and
// SYSTEM, nothing inherited) set at creation and read back, LockFileEx on
// the lock file, write + FlushFileBuffers + MoveFileExW(REPLACE_EXISTING |
// WRITE_THROUGH). docs/windows.md, "Credentials".
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "vault/store.h"

namespace cordon::vault::files {

// A held lock on the vault; released on destruction.
class LockGuard {
 public:
  LockGuard() = default;
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;
  virtual ~LockGuard() = default;
};

// Shared (readers) or exclusive (a change) lock on paths.lock, never on
// the vault itself, which the atomic replace swaps.
[[nodiscard]] Result<std::unique_ptr<LockGuard>> Lock(const Paths& paths, bool exclusive);

// The vault directory exists, is a directory and is private to the user.
// `create`: makes it first when it is missing (Windows, where no other step
// creates it; on Unix `cordon setup`'s state directories do).
[[nodiscard]] Status CheckDir(const Paths& paths, bool create);

// The content of a vault file, checked to be a regular file private to the
// user; nullopt when it does not exist. More than `limit` bytes is an error.
[[nodiscard]] Result<std::optional<std::string>> ReadPrivate(const std::string& path, size_t limit);

// Makes `path` a private file holding `data` unless it exists (then it is
// kept: a concurrent writer won); true when this call made it. Never leaves
// a short file under `path`.
[[nodiscard]] Result<bool> CreatePrivate(const Paths& paths, const std::string& path,
                                         std::string_view data);

// Replaces `path` with a private file holding `data`, atomically and
// durably. The caller holds the exclusive lock.
[[nodiscard]] Status ReplacePrivate(const Paths& paths, const std::string& path,
                                    std::string_view data);

}  // namespace cordon::vault::files
