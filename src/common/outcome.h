// Outcome: how one run ended. It is both the CLI's exit status and the
// payload of the exec end event (cordon.exec.end).
#pragma once

#include <string>

#include "common/error.h"

namespace cordon {

struct Outcome {
  enum class Kind {
    kExited,      // the command exited with `code`
    kSignaled,    // the command was killed by `signal`
    kTimeout,     // --timeout expired; the tree was killed
    kSetupError,  // cordon could not confine the command; it never ran
    kExecError,   // the command could not be executed (not found, not executable)
  };
  Kind kind = Kind::kExited;
  int code = 0;
  int signal = 0;
  Error error;  // kSetupError, kExecError

  // The exit status of `cordon run`: the command's, 128+N for signal N, 124
  // timeout, 125 setup error, 126 not executable, 127 not found.
  [[nodiscard]] int ExitStatus() const;
  [[nodiscard]] static Outcome SetupError(Error e) {
    return Outcome{Kind::kSetupError, 0, 0, std::move(e)};
  }
};

inline constexpr int kExitSetupError = 125;
inline constexpr int kExitNotExecutable = 126;
inline constexpr int kExitNotFound = 127;
inline constexpr int kExitTimeout = 124;

}  // namespace cordon
