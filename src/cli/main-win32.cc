// cordon.exe's entry point, while the Windows backend is being built: what
// it can do honestly today. `--version`; `doctor`, the confinement
// checklist; `policy show`, the resolved policy (the same config files,
// flags, errors and output as on Linux: cli/policy-win32.h); and `run` and
// `setup`, which refuse with exit 125 and name every missing piece, because
// nothing may run unconfined (there is no "unelevated" or degraded fallback
// on Windows). `run` resolves the policy first, so a bad config file or flag
// is reported as on Linux before the refusal. The shared command-line parser
// (cli/flags.cc) replaces this one once src/telemetry builds for Windows.
#include <windows.h>
// (after windows.h, which it needs)
#include <shellapi.h>

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "cli/policy-win32.h"
#include "cli/run-win32.h"
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
    "       cordon setup | doctor | --version\n"
    "On Windows this build confines nothing yet, so `run` refuses every command (exit 125).\n";

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

std::vector<Check> Missing() {
  std::vector<Check> missing;
  for (Check& check : cordon::sandbox::confinement_probe::Probe()) {
    if (!check.ok) missing.push_back(std::move(check));
  }
  return missing;
}

std::string ListMissing(const std::vector<Check>& missing) {
  std::string text;
  for (const Check& check : missing) {
    text += "  missing: " + check.name + ": " + cordon::ForTerminal(check.detail) + "\n";
  }
  return text;
}

// The tier line of `policy show`: why a run is refused here.
std::string RefusedBecause() {
  std::string text = "this host cannot confine commands: missing ";
  const std::vector<Check> missing = Missing();
  for (size_t i = 0; i < missing.size(); ++i) {
    text += (i == 0 ? "" : ", ") + missing[i].name;
  }
  return missing.empty() ? "the Windows backend does not launch commands yet" : text;
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

int Setup() {
  const std::vector<Check> missing = Missing();
  Err("cordon: setup: the Windows identities cannot be made on this host:\n" +
      ListMissing(missing));
  return cordon::kExitSetupError;
}

int Doctor() {
  int failed = 0;
  for (const Check& check : cordon::sandbox::confinement_probe::Probe()) {
    std::printf("%-8s %s: %s\n", check.ok ? "ok" : "MISSING", check.name.c_str(),
                cordon::ForTerminal(check.detail).c_str());
    failed += check.ok ? 0 : 1;
  }
  std::printf("%s\n", failed == 0 ? "cordon can confine commands here"
                                  : "cordon cannot confine commands here: `cordon run` refuses");
  return failed == 0 ? 0 : 1;
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
    return cordon::cli::PolicyShow(std::vector<std::string>(args.begin() + 2, args.end()),
                                   RefusedBecause());
  }
  if (args[0] == "setup") return Setup();
  if (args[0] == "doctor") return Doctor();
  Err("cordon: unknown command `" + cordon::ForTerminal(args[0]) + "`\n" + std::string(kUsage));
  return cordon::kExitSetupError;
}
