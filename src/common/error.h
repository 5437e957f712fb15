// The one error type of cordon: what failed, on which object, with which errno.
//
// Every syscall failure is reported as "op(path): strerror (ENAME)" plus an
// optional hint that explains confusing errno values (EPERM from a user
// namespace under AppArmor, ENOSPC from mount, ...).
#pragma once

#include <string>

namespace cordon {

struct Error {
  std::string op;      // the call or step, e.g. "mount(tmpfs)" or "config"
  std::string object;  // path, flag, file:line:column; may be empty
  int err = 0;         // errno, 0 when not a syscall failure
  std::string detail;  // free text for non-syscall errors
  std::string hint;    // remedy, may be empty

  // "op(object): detail: strerror (ENAME)\n  hint: ..." on one or two lines.
  [[nodiscard]] std::string Describe() const;
};

// Builds an Error from a failed syscall; call it right after the call so
// errno is still the call's.
[[nodiscard]] Error SysError(std::string op, std::string object, int err);
[[nodiscard]] Error PlainError(std::string op, std::string object, std::string detail);

// "EPERM" for EPERM; "E<n>" when glibc has no name.
[[nodiscard]] std::string ErrnoName(int err);

}  // namespace cordon
