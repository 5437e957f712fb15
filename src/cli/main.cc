// cordon's entry point: parse the command line and dispatch.
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/flags.h"
#include "common/outcome.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  auto command = cordon::cli::ParseArgs(args);
  if (!command.ok()) {
    cordon::cli::Say(command.error());
    return cordon::kExitSetupError;
  }
  return cordon::cli::Dispatch(command.value());
}
