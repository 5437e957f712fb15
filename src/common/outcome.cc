// Exit status mapping of an Outcome, as env(1) and docker run do.
#include "common/outcome.h"

#include <cerrno>

namespace cordon {

int Outcome::ExitStatus() const {
  switch (kind) {
    case Kind::kExited:
      return code;
    case Kind::kSignaled:
      return 128 + signal;
    case Kind::kTimeout:
      return kExitTimeout;
    case Kind::kSetupError:
      return kExitSetupError;
    case Kind::kExecError:
      return (error.err == ENOENT || error.err == ENOTDIR) ? kExitNotFound : kExitNotExecutable;
  }
  return kExitSetupError;
}

}  // namespace cordon
