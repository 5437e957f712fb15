// The subcommands behind the parsed command line. Each returns the process
// exit status and prints its own diagnostics.
#pragma once

#include "cli/flags.h"

namespace cordon::cli {

[[nodiscard]] int Dispatch(const Command& command);
[[nodiscard]] int RunCommand(const Command& command);
[[nodiscard]] int PolicyShowCommand(const Command& command);
[[nodiscard]] int LogCommand(const Command& command);

}  // namespace cordon::cli
