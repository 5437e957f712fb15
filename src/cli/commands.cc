// Dispatch of parsed commands; help and version.
#include "cli/commands.h"

#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "common/terminal_text.h"

namespace cordon::cli {

void Say(std::string_view what) {
  const std::string line = "cordon: " + ForTerminal(what) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void Say(const Error& e, std::string_view prefix) {
  const std::string text = ErrorForTerminal(e, prefix);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

Result<std::string> SelfExe() {
  char self[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
  if (n <= 0) return SysError("readlink", "/proc/self/exe", errno);
  return std::string(self, static_cast<size_t>(n));
}

Status CheckSessionSandbox(const policy::Policy& policy) {
  if (policy.mode != policy::Mode::kFullAccess) return {};
  return PlainError("session", "",
                    "mode full-access runs commands unconfined: there is no sandbox to share "
                    "(pick another mode, or run without a session)");
}

void WarnSkipped(const policy::Policy& policy) {
  for (const policy::SkippedPath& sk : policy.skipped) {
    Say("warning: " + sk.origin.Describe() + ": " + sk.key + ": " + sk.path + " " + sk.reason +
        "; skipped (cordon policy show lists what is skipped)");
  }
}

std::optional<Resolved> ResolveOrReport(const policy::Overrides& overrides, bool warn_skipped) {
  auto host = policy::HostFacts::FromProcess();
  if (!host.ok()) {
    Say(host.error());
    return std::nullopt;
  }
  std::optional<policy::Policy> resolved = ResolveOrReport(overrides, host.value(), warn_skipped);
  if (!resolved) return std::nullopt;
  return Resolved{std::move(host).value(), std::move(*resolved)};
}

std::optional<policy::Policy> ResolveOrReport(const policy::Overrides& overrides,
                                              const policy::HostFacts& host, bool warn_skipped) {
  auto resolved = policy::Resolve(overrides, host);
  if (!resolved.ok()) {
    Say(resolved.error());
    return std::nullopt;
  }
  // Once per command: re-resolutions (an approved re-run) skip the same.
  if (warn_skipped) WarnSkipped(resolved.value());
  return std::move(resolved).value();
}

int Dispatch(const Command& command) {
  switch (command.kind) {
    case Command::Kind::kRun:
      return RunCommand(command.run);
    case Command::Kind::kPolicyShow:
      return PolicyShowCommand(command.show);
    case Command::Kind::kLog:
      return LogCommand(command.log);
    case Command::Kind::kSetup:
      return SetupCommand(command.maintenance);
    case Command::Kind::kUninstall:
      return UninstallCommand(command.maintenance);
    case Command::Kind::kDoctor:
      return DoctorCommand(command.maintenance);
    case Command::Kind::kMcp:
      return McpCommand(command.mcp);
    case Command::Kind::kSessionStart:
      return SessionStartCommand(command.session);
    case Command::Kind::kSessionStop:
      return SessionStopCommand(command.session);
    case Command::Kind::kSessionStatus:
      return SessionStatusCommand(command.session);
    case Command::Kind::kDoctorProbe:
      return DoctorProbeCommand(command.probe_args);
    case Command::Kind::kSecretSet:
    case Command::Kind::kSecretGet:
    case Command::Kind::kSecretList:
    case Command::Kind::kSecretRm:
      return SecretCommand(command.kind, command.maintenance);
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
