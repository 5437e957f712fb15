// ChildStatus: how a step of the child pipeline failed, without allocating.
//
// The child (after clone) must not allocate, so a failure is three plain
// values pointing into memory prepared before clone; the pipeline copies it
// into a fixed-size record on the report pipe (see report.h).
#pragma once

#include <cerrno>

namespace cordon::sandbox {

struct ChildStatus {
  const char* op = nullptr;    // nullptr: success
  const char* path = nullptr;  // the object of the call, may be nullptr
  int err = 0;

  [[nodiscard]] bool ok() const { return op == nullptr; }
  [[nodiscard]] static ChildStatus Ok() { return {}; }
  // Captures errno right after a failed call.
  [[nodiscard]] static ChildStatus Errno(const char* op, const char* path) {
    return {op, path, errno};
  }
};

}  // namespace cordon::sandbox

#define CORDON_CHILD_TRY(expr)                  \
  do {                                          \
    ::cordon::sandbox::ChildStatus s_ = (expr); \
    if (!s_.ok()) return s_;                    \
  } while (0)
