// Command-line parsing: argv to a typed Command, nothing else.
//
// Parsing never touches the filesystem or the kernel; `cordon run`,
// `cordon policy show` and `cordon mcp` accept the same policy options, the
// flag layer of policy/flag_layer.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "policy/flag_layer.h"

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

// `cordon run`.
struct RunArgs {
  policy::Overrides overrides;
  bool verbose = false;
  bool quiet = false;                  // no denial summary at the end (denial_summary.h)
  std::optional<int> timeout_seconds;  // kill the tree after this, exit 124
  int approval_fd = -1;  // internal: questions to `cordon mcp` (see approval/channel.h)
  int session_fd = -1;   // internal: `cordon mcp --session-sandbox` (sandbox/linux/session_init.h)
  std::string trace_id;  // internal: the events' trace (a `cordon session`'s)
  bool session = false;  // --session: in the workspace's session when its policy is this run's
  std::vector<std::string> options;  // as typed, before "--" (what a session resolves)
  std::vector<std::string> argv;     // the command after "--"
};

// `cordon session start|stop|status`.
struct SessionArgs {
  policy::Overrides overrides;           // start
  std::vector<std::string> policy_args;  // start: as typed, for its `cordon run`
  int idle_timeout_seconds = 3600;       // start: ends after this long without a command; 0: never
  std::string workspace;                 // stop: the session's (default: the cwd's)
  bool all = false;                      // stop: every session of this user
  bool json = false;                     // status
};

// `cordon policy show`.
struct PolicyShowArgs {
  policy::Overrides overrides;
  bool verbose = false;
  bool json = false;
};

// `cordon mcp`.
struct McpArgs {
  policy::Overrides overrides;
  std::vector<std::string> policy_args;   // as typed, passed on to every `cordon run`
  size_t max_output = size_t{64} * 1024;  // per call and stream
  bool session_sandbox = false;           // one sandbox for the session
};

// setup, uninstall, doctor, secret (see maintenance_flags.cc).
struct MaintenanceArgs {
  bool json = false;        // setup --json, doctor --json
  std::string secret_name;  // secret set/get/rm NAME
  bool from_stdin = false;  // secret set --stdin
  bool reveal = false;      // secret get --reveal
  bool purge = false;       // uninstall --purge
  bool yes = false;         // uninstall --yes
};

// The parsed command line: its kind, and the arguments of that kind (the
// other members stay default).
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
    kMcp,  // `cordon mcp`: the MCP server over stdio
    kSessionStart,
    kSessionStop,
    kSessionStatus,
    kDoctorProbe,  // internal: `cordon __doctor-probe OP ARG...` inside doctor's sandboxes
  };
  Kind kind = Kind::kHelp;
  RunArgs run;
  PolicyShowArgs show;
  McpArgs mcp;
  SessionArgs session;
  LogArgs log;
  MaintenanceArgs maintenance;
  std::vector<std::string> probe_args;  // kDoctorProbe
  std::string help_text;                // kHelp: what to print (exit 0)
};

// Errors (unknown flag, bad value, missing command) come back as an Error
// whose Describe() is a one-line message fit for stderr; the caller exits 125.
[[nodiscard]] Result<Command> ParseArgs(const std::vector<std::string>& args);
// For tests: ParseArgs takes most `cordon run` command lines without CLI11
// (QuickRun, nullopt for the others), which is most of a run's start-up
// work; ParseArgsFull is CLI11 alone.
[[nodiscard]] std::optional<RunArgs> QuickRun(const std::vector<std::string>& args);
[[nodiscard]] Result<Command> ParseArgsFull(const std::vector<std::string>& args);

}  // namespace cordon::cli
