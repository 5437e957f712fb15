// Command-line parsing: argv to a typed Command, nothing else.
//
// Parsing never touches the filesystem or the kernel; `cordon run` and
// `cordon policy show` accept the same policy options (policy::Overrides).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "policy/loader.h"

namespace cordon::cli {

// `cordon log` options, as typed (times are parsed when the command runs,
// relative to its own clock).
struct LogArgs {
  bool json = false;
  std::string since;
  std::string until;
  std::string run;
  std::string kind;
  bool denied = false;
  bool follow = false;
};

struct Command {
  enum class Kind {
    kRun,
    kPolicyShow,
    kHelp,
    kVersion,
    kLog,
    kSetup,
    kUninstall,
    kDoctor,
    kSecretSet,
    kSecretGet,
    kSecretList,
    kSecretRm,
    kMcp,          // `cordon mcp`: the MCP server over stdio
    kDoctorProbe,  // internal: `cordon __doctor-probe OP ARG...` inside doctor's sandboxes
  };
  Kind kind = Kind::kHelp;
  policy::Overrides overrides;
  std::optional<int> timeout_seconds;  // run: kill the tree after this, exit 124
  bool verbose = false;
  size_t max_output = size_t{64} * 1024;  // mcp: per call and stream
  int approval_fd = -1;  // run: internal, questions to `cordon mcp` (see approval/channel.h)
  bool session_sandbox = false;  // mcp: one sandbox for the session
  int session_fd = -1;  // run: internal, `cordon mcp --session-sandbox` (sandbox/session_init.h)
  bool json = false;    // policy show --json
  std::vector<std::string> argv;  // run: the command after "--"; mcp: its policy options
  std::string help_text;          // kHelp: what to print (exit 0)
  LogArgs log;                    // kLog
  // setup, uninstall, doctor, secret (see maintenance_flags.cc).
  std::string secret_name;  // secret set/get/rm NAME
  bool from_stdin = false;  // secret set --stdin
  bool reveal = false;      // secret get --reveal
  bool purge = false;       // uninstall --purge
  bool yes = false;         // uninstall --yes
};

// Errors (unknown flag, bad value, missing command) come back as an Error
// whose Describe() is a one-line message fit for stderr; the caller exits 125.
[[nodiscard]] Result<Command> ParseArgs(const std::vector<std::string>& args);

}  // namespace cordon::cli
