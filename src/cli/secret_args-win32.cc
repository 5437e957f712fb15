// The `secret` command line on Windows (see secret-win32.h): the Linux
// parser is CLI11 inside flags.cc, which does not build here yet, so the
// four subcommands are parsed by hand with its usage messages.
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/secret-win32.h"
#include "common/outcome.h"
#include "common/terminal_text.h"

namespace cordon::cli {

namespace {

int Usage(const std::string& where, const std::string& detail) {
  const std::string text = "cordon: " + where.substr(std::string("cordon ").size()) + ": " +
                           detail + " (see '" + where + " --help')\n";
  std::fputs(ForTerminal(text).c_str(), stderr);
  return kExitSetupError;
}

constexpr const char* kHelp =
    "usage: cordon secret set NAME [--stdin] | get NAME [--reveal] | list | rm NAME\n"
    "Secrets are encrypted (AES-256-GCM) under a key bound to this machine and user (DPAPI).\n"
    "A command sees one only when granted: 'cordon run --secret NAME' or [secrets] in the\n"
    "user config.\n";

}  // namespace

int SecretOnWindows(const std::vector<std::string>& args) {
  if (args.empty()) return Usage("cordon secret", "expected a subcommand: set, get, list or rm");
  const std::string& sub = args[0];
  if (sub == "--help" || sub == "-h") {
    std::fputs(kHelp, stdout);
    return 0;
  }
  Command::Kind kind;
  bool takes_name = true;
  const char* flag = nullptr;  // the one flag the subcommand takes
  if (sub == "set") {
    kind = Command::Kind::kSecretSet;
    flag = "--stdin";
  } else if (sub == "get") {
    kind = Command::Kind::kSecretGet;
    flag = "--reveal";
  } else if (sub == "list") {
    kind = Command::Kind::kSecretList;
    takes_name = false;
  } else if (sub == "rm") {
    kind = Command::Kind::kSecretRm;
  } else {
    return Usage("cordon secret", "unexpected argument '" + sub + "'");
  }
  const std::string where = "cordon secret " + sub;
  MaintenanceArgs m;
  bool named = false;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (flag != nullptr && a == flag) {
      (kind == Command::Kind::kSecretSet ? m.from_stdin : m.reveal) = true;
    } else if (!a.empty() && a.front() == '-') {
      return Usage(where, "unknown option '" + a + "'");
    } else if (takes_name && !named) {
      m.secret_name = a;
      named = true;
    } else {
      return Usage(where, "unexpected argument '" + a + "'");
    }
  }
  if (takes_name && !named) return Usage(where, "NAME is required");
  return SecretCommand(kind, m);
}

}  // namespace cordon::cli
