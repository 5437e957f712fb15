// Formatting of cordon's error type (ErrnoName is per C library:
// errno_name-unix.cc, errno_name-win32.cc).
#include "common/error.h"

#include <string.h>

#include <utility>

namespace cordon {

std::string Error::Describe() const {
  std::string out = op;
  if (!object.empty()) out += "(" + object + ")";
  if (!detail.empty()) out += ": " + detail;
  if (err != 0) out += std::string(": ") + strerror(err) + " (" + ErrnoName(err) + ")";
  if (!hint.empty()) out += "\n  hint: " + hint;
  return out;
}

Error SysError(std::string op, std::string object, int err) {
  return Error{std::move(op), std::move(object), err, {}, {}};
}

Error PlainError(std::string op, std::string object, std::string detail) {
  return Error{std::move(op), std::move(object), 0, std::move(detail), {}};
}

}  // namespace cordon
