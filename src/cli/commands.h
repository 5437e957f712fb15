// The subcommands behind the parsed command line. Each returns the process
// exit status and prints its own diagnostics.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/flags.h"
#include "cli/granted_secrets.h"
#include "common/result.h"
#include "policy/loader.h"
#include "policy/policy.h"

namespace cordon::cli {

[[nodiscard]] int Dispatch(const Command& command);
[[nodiscard]] int RunCommand(const RunArgs& args);
[[nodiscard]] int PolicyShowCommand(const PolicyShowArgs& args);
[[nodiscard]] int LogCommand(const LogArgs& args);
[[nodiscard]] int SetupCommand(const MaintenanceArgs& args);
[[nodiscard]] int UninstallCommand(const MaintenanceArgs& args);
[[nodiscard]] int DoctorCommand(const MaintenanceArgs& args);
[[nodiscard]] int SecretCommand(Command::Kind kind, const MaintenanceArgs& args);
[[nodiscard]] int DoctorProbeCommand(const std::vector<std::string>& args);
[[nodiscard]] int McpCommand(const McpArgs& args);
[[nodiscard]] int SessionStartCommand(const SessionArgs& args);
[[nodiscard]] int SessionStopCommand(const SessionArgs& args);
[[nodiscard]] int SessionStatusCommand(const SessionArgs& args);
// `cordon run --session`: the command's exit status when the workspace's
// session ran it; nullopt when there is none or its policy is not this
// run's (said on stderr): the caller runs a fresh sandbox.
[[nodiscard]] std::optional<int> RunInSession(const RunArgs& args);
// Ends every session of this user (uninstall), saying so for each.
void StopAllSessions(const std::string& state_dir);

// The host facts, and the policy resolved from them and the command line.
struct Resolved {
  policy::HostFacts host;
  policy::Policy policy;
};
// nullopt after printing "cordon: <why>"; the caller exits kExitSetupError.
// `warn_skipped`: warn on stderr about config paths that take no effect
// (policy.skipped), once per command.
[[nodiscard]] std::optional<Resolved> ResolveOrReport(const policy::Overrides& overrides,
                                                      bool warn_skipped = true);
// Warns on stderr about each config path that takes no effect.
void WarnSkipped(const policy::Policy& policy);
// The same for host facts already read (a run's first resolution, and its
// re-resolutions, widened, which warn about nothing again).
[[nodiscard]] std::optional<policy::Policy> ResolveOrReport(const policy::Overrides& overrides,
                                                            const policy::HostFacts& host,
                                                            bool warn_skipped = false);

// A session sandbox (`cordon mcp --session-sandbox`, `cordon session
// start`) needs a sandbox to share: an error under mode full-access.
[[nodiscard]] Status CheckSessionSandbox(const policy::Policy& policy);

// This binary's path (/proc/self/exe), for the cordon runs it starts.
[[nodiscard]] Result<std::string> SelfExe();

// Writes "cordon: WHAT\n" to stderr with WHAT escaped for the terminal
// (common/terminal_text.h): a notice may name a path, a host or a command
// line that the sandbox or the agent chose.
void Say(std::string_view what);
// "cordon: PREFIXop(object): detail\n  hint: ...": escaped like the above,
// but the hint's own line breaks (cordon's) are kept.
void Say(const Error& e, std::string_view prefix = {});

}  // namespace cordon::cli
