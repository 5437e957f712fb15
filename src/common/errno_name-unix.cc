// ErrnoName with glibc, which knows every errno's name.
#include <string.h>

#include <string>

#include "common/error.h"

namespace cordon {

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? name : "E" + std::to_string(err);
}

}  // namespace cordon
