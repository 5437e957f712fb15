// `cordon log`'s options, shared by the CLI11 parser of both platforms:
// cli/flags.cc adds them to its `log` subcommand on Linux, and cordon.exe,
// which has no full CLI11 parser yet, parses `cordon log`'s arguments alone
// with LogFromArgs.
#pragma once

#include <string>
#include <vector>

#include "cli/flags.h"

namespace CLI {
class App;
}  // namespace CLI

namespace cordon::cli {

// --json, --since, --until, --run, --kind, --denied, -f/--follow.
void AddLogOptions(CLI::App* app, LogArgs* args);

// `cordon log` over the events files (cli/log.cc).
[[nodiscard]] int LogCommand(const LogArgs& args);

// cordon.exe's `cordon log ARGS...`: parses ARGS (a bad one is named with
// exit 125, --help prints the help, exit 0) and runs LogCommand.
[[nodiscard]] int LogFromArgs(const std::vector<std::string>& args);

}  // namespace cordon::cli
