// cordon.exe's entry point: `run` (cli/run-win32.h: full-access in a job,
// confined runs in the offline or online AppContainer identity, refused with exit 125
// and every missing piece named where the host cannot confine: there is no
// "unelevated" or degraded fallback), `policy show` (the same config files,
// flags, errors and output as on Linux: cli/policy-win32.h), `setup`,
// `uninstall` and `doctor` (cli/maintenance-win32.h), `log` (cli/log.cc,
// the same command as on Linux), `--version`. `run`
// resolves the policy first, so a bad config file or flag is reported as on
// Linux before anything else. The shared command-line parser (cli/flags.cc)
// replaces this one once src/telemetry builds for Windows.
#include <windows.h>
// (after windows.h, which it needs)
#include <shellapi.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cli/log_flags.h"
#include "cli/maintenance-win32.h"
#include "cli/policy-win32.h"
#include "cli/run-win32.h"
#include "cli/secret-win32.h"
#include "common/outcome.h"
#include "common/terminal_text.h"
#include "sandbox/windows/confinement_probe-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace {

using cordon::Status;
using cordon::sandbox::confinement_probe::Check;
namespace policy = cordon::policy;

constexpr std::string_view kUsage =
    "usage: cordon run [POLICY FLAGS] [--] COMMAND [ARG...]\n"
    "       cordon policy show [--json] [-v] [POLICY FLAGS]\n"
    "       cordon secret set NAME [--stdin] | get NAME [--reveal] | list | rm NAME\n"
    "       cordon log [--since TIME] [--until TIME] [--run ID] [--kind KIND] [--denied] "
    "[--json] [-f]\n"
    "       cordon setup [--proxy-port PORT] | uninstall | doctor | --version\n"
    "A confined run needs AppContainer support (`cordon doctor`); without it `run` refuses "
    "(exit 125). --net proxy needs `cordon setup` once from an elevated prompt; --net full is "
    "not offered on Windows.\n";

void Err(const std::string& text) { std::fputs(text.c_str(), stderr); }

// The command line as UTF-8 arguments (main's argv is in the ANSI code page).
std::vector<std::string> Arguments() {
  int count = 0;
  wchar_t** wide = CommandLineToArgvW(GetCommandLineW(), &count);
  std::vector<std::string> args;
  for (int i = 1; wide != nullptr && i < count; ++i) {
    args.push_back(cordon::sandbox::Narrow(wide[i]));
  }
  LocalFree(wide);
  return args;
}

// The tier line of `policy show`: what a run gets here, or why it is
// refused.
std::pair<std::string, std::string> Tier() {
  const std::vector<Check> missing = cordon::sandbox::confinement_probe::Missing(true);
  if (missing.empty()) {
    return {"appcontainer",
            "the offline or online identity in a kill-on-close job holding the memory, process "
            "and CPU limits; --tmp-size is not enforced, --net proxy needs `cordon setup` "
            "(elevated), --net full is not offered"};
  }
  std::string text = "this host cannot confine commands: missing ";
  for (size_t i = 0; i < missing.size(); ++i) {
    text += (i == 0 ? "" : ", ") + missing[i].name;
  }
  return {"refused", text};
}

int Run(const std::vector<std::string>& args) {
  policy::Overrides overrides;
  size_t first = 0;
  if (Status s = cordon::cli::ParsePolicyFlags(args, &first, &overrides); !s.ok()) {
    cordon::cli::Say(s.error());
    return cordon::kExitSetupError;
  }
  const std::vector<std::string> command(args.begin() + static_cast<ptrdiff_t>(first), args.end());
  if (command.empty()) {
    Err("cordon: run: no command given\n" + std::string(kUsage));
    return cordon::kExitSetupError;
  }
  // The policy first: a bad config file or flag is named as on Linux.
  const std::optional<cordon::cli::ResolvedPolicy> resolved =
      cordon::cli::ResolveOrReport(overrides);
  if (!resolved) return cordon::kExitSetupError;
  return cordon::cli::RunOnWindows(*resolved, command);
}

}  // namespace

int main() {
  const std::vector<std::string> args = Arguments();
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fputs(kUsage.data(), args.empty() ? stderr : stdout);
    return args.empty() ? cordon::kExitSetupError : 0;
  }
  if (args[0] == "--version") {
    std::printf("cordon %s (windows)\n", CORDON_VERSION);
    return 0;
  }
  if (args[0] == "run") return Run(std::vector<std::string>(args.begin() + 1, args.end()));
  if (args[0] == "policy" && args.size() >= 2 && args[1] == "show") {
    const auto [tier, reason] = Tier();
    return cordon::cli::PolicyShow(std::vector<std::string>(args.begin() + 2, args.end()), tier,
                                   reason);
  }
  if (args[0] == "log") {
    return cordon::cli::LogFromArgs(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (args[0] == "setup") {
    return cordon::cli::SetupOnWindows(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  if (args[0] == "uninstall") return cordon::cli::UninstallOnWindows();
  if (args[0] == "doctor") return cordon::cli::DoctorOnWindows();
  if (args[0] == "secret") return cordon::cli::SecretOnWindows({args.begin() + 1, args.end()});
  Err("cordon: unknown command `" + cordon::ForTerminal(args[0]) + "`\n" + std::string(kUsage));
  return cordon::kExitSetupError;
}
