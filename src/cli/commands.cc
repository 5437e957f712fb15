// Dispatch of parsed commands; help and version.
#include "cli/commands.h"

#include <cstdio>

namespace cordon::cli {

int Dispatch(const Command& command) {
  switch (command.kind) {
    case Command::Kind::kRun:
      return RunCommand(command);
    case Command::Kind::kPolicyShow:
      return PolicyShowCommand(command);
    case Command::Kind::kLog:
      return LogCommand(command);
    case Command::Kind::kSetup:
      return SetupCommand(command);
    case Command::Kind::kUninstall:
      return UninstallCommand(command);
    case Command::Kind::kDoctor:
      return DoctorCommand(command);
    case Command::Kind::kMcp:
      return McpCommand(command);
    case Command::Kind::kDoctorProbe:
      return DoctorProbeCommand(command);
    case Command::Kind::kSecretSet:
    case Command::Kind::kSecretGet:
    case Command::Kind::kSecretList:
    case Command::Kind::kSecretRm:
      return SecretCommand(command);
    case Command::Kind::kVersion:
      std::printf("cordon %s\n", CORDON_VERSION);
      return 0;
    case Command::Kind::kHelp:
      std::fputs(command.help_text.c_str(), stdout);
      return 0;
  }
  return 0;
}

}  // namespace cordon::cli
