// The host's file system as policy resolution sees it: the platform seam of
// src/policy (docs/mechanisms.md, "The platform seam").
//
// Resolution looks at the host only to decide what a policy names: whether a
// default path exists, what kind of file it is, what a symlink resolves to,
// a config file's text, a git directory's entries. Those questions are
// answered here, once per platform: host_fs-unix.cc (POSIX calls, the
// behaviour the Linux tests pin) and host_fs-win32.cc (Win32 calls on
// drive-letter paths; any other path, such as a Linux default "/etc", is
// missing there). Paths and path syntax are paths.h's; the process's own
// facts (home, environment, memory) are HostFacts::FromProcess, in
// host_facts-unix.cc and host_facts-win32.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"

namespace cordon::policy::host_fs {

enum class Kind { kMissing, kFile, kDirectory, kSymlink, kOther };

// What the name itself is: a symlink (or, on Windows, a reparse point that
// is a link) is kSymlink (lstat semantics).
[[nodiscard]] Kind KindOf(const std::string& path);

// What the name resolves to, links followed (stat semantics); a dangling
// link is kMissing.
[[nodiscard]] Kind KindFollowing(const std::string& path);

// This process may open the file for reading (access(R_OK)).
[[nodiscard]] bool Readable(const std::string& path);

// The file system a path (links followed) lives on, nullopt when it does not
// exist: a walk up the tree stops where the file system changes.
[[nodiscard]] std::optional<uint64_t> FileSystemOf(const std::string& path);

// The first `max_bytes` of a regular file; empty when it is missing,
// unreadable or not a regular file. Never blocks on a FIFO planted under a
// file's name.
[[nodiscard]] std::string ReadSmallFile(const std::string& path, size_t max_bytes);

// A whole regular file of at most `max_bytes`, for a config file. nullopt
// when it does not exist; errors name the step and errno ("open", "fstat",
// "read"), or say "not a regular file" / "file is larger than 1 MiB" under
// the step "config".
[[nodiscard]] Result<std::optional<std::string>> ReadConfigText(const std::string& path,
                                                                size_t max_bytes);

// The names in a directory ("." and ".." left out), at most `max_entries`,
// sorted; empty when it cannot be listed.
[[nodiscard]] std::vector<std::string> ListDir(const std::string& path, size_t max_entries);

}  // namespace cordon::policy::host_fs
