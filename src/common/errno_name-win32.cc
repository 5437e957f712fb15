// ErrnoName with the Windows C runtime, which has no strerrorname_np: the
// names of the errno values its <errno.h> defines and that cordon's shared
// code reports. Win32 API failures are not errno values: they are described
// by sandbox/windows/win_error-win32.h.
#include <errno.h>

#include <string>

#include "common/error.h"

namespace cordon {

std::string ErrnoName(int err) {
  switch (err) {
    case EPERM:
      return "EPERM";
    case ENOENT:
      return "ENOENT";
    case EINTR:
      return "EINTR";
    case EIO:
      return "EIO";
    case EBADF:
      return "EBADF";
    case ENOMEM:
      return "ENOMEM";
    case EACCES:
      return "EACCES";
    case EEXIST:
      return "EEXIST";
    case ENOTDIR:
      return "ENOTDIR";
    case EISDIR:
      return "EISDIR";
    case EINVAL:
      return "EINVAL";
    case EMFILE:
      return "EMFILE";
    case ENOSPC:
      return "ENOSPC";
    case EPIPE:
      return "EPIPE";
    case ERANGE:
      return "ERANGE";
    case ENAMETOOLONG:
      return "ENAMETOOLONG";
    case ENOSYS:
      return "ENOSYS";
    case ENOTEMPTY:
      return "ENOTEMPTY";
    default:
      return "E" + std::to_string(err);
  }
}

}  // namespace cordon
