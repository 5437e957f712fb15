// `cordon mcp [POLICY OPTIONS]`: resolve the policy once (to describe it to
// the model and to keep `cwd` arguments inside the workspace), then serve
// MCP on stdin/stdout. Every run re-executes this binary as `cordon run`
// with the same policy options.
#include <limits.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "approval/writable_offer.h"
#include "cli/commands.h"
#include "cli/run_events.h"
#include "common/outcome.h"
#include "mcp/server.h"
#include "policy/loader.h"

namespace cordon::cli {

namespace {

// What the model should know so it does not waste turns on what cannot work.
std::string Describe(const policy::Policy& p, bool session_sandbox) {
  std::string d = "Workspace " + p.workspace + " (the default working directory) is ";
  d += p.mode == policy::Mode::kReadOnly ? "read-only" : "writable";
  d += "; outside it, system directories are read-only and the home directory is hidden";
  if (!p.read.empty())
    d += " (except " + std::to_string(p.read.size()) + " toolchain paths, read-only)";
  d += session_sandbox ? "; /tmp is private to this session and kept between calls. Network: "
                       : "; /tmp is private and empty at each call. Network: ";
  switch (p.net) {
    case policy::NetMode::kOff:
      d += "none (no DNS, no connections).";
      break;
    case policy::NetMode::kProxy: {
      d += "only through the proxy set in HTTP_PROXY/HTTPS_PROXY, to: ";
      if (p.net_rules.allow.empty()) d += "(no destination)";
      for (size_t i = 0; i < p.net_rules.allow.size() && i < 20; ++i) {
        d += (i ? ", " : "") + p.net_rules.allow[i].text;
      }
      d += "; other destinations are denied";
      if (p.approval == policy::Approval::kOnRequest ||
          p.approval == policy::Approval::kUntrusted) {
        d += " unless the user approves them";
      }
      d += ".";
      break;
    }
    case policy::NetMode::kFull:
      d += "the host network.";
      break;
  }
  d += " Denials show as EACCES/EPERM (files) or refused connections (network); no sudo.";
  d += std::string(" Approval policy: ") + policy::ApprovalName(p.approval) + ".";
  return d;
}

}  // namespace

// Serves when the policy cannot be used: an agent whose MCP server exits
// before `initialize` sees only a dead server, so this one starts, lists
// its tools, and answers every call with `why` and the fix.
int ServeUnavailable(const Error& why) {
  mcp::ServerOptions o;
  o.version = CORDON_VERSION;
  o.unavailable = "cordon cannot run commands: " + why.Describe() + "\nFix: ";
  o.unavailable +=
      why.op == "workspace"
          ? "start `cordon mcp` in the project directory (the working directory in the MCP "
            "client's server config), or add --workspace DIR to its arguments"
          : "correct the option or config file named above";
  o.unavailable += ", then restart this MCP server.";
  o.tool_description = "Unavailable: " + o.unavailable;
  return mcp::Serve(STDIN_FILENO, STDOUT_FILENO, o);
}

int McpCommand(const McpArgs& command) {
  // A bad option or config is reported at start (stderr, the client's log)
  // and on every tool call.
  policy::Overrides overrides = command.overrides;
  auto host = policy::HostFacts::FromProcess();
  if (!host.ok()) {
    Say(host.error());
    return ServeUnavailable(host.error());
  }
  auto policy = policy::Resolve(overrides, host.value());
  if (!policy.ok()) {
    Say(policy.error());
    return ServeUnavailable(policy.error());
  }
  WarnSkipped(policy.value());
  std::optional<Resolved> resolved = Resolved{std::move(host).value(), std::move(policy).value()};
  auto self = SelfExe();
  if (!self.ok()) {
    Say(self.error());
    return kExitSetupError;
  }
  const policy::Policy& p = resolved->policy;
  if (command.session_sandbox) {
    Status shareable = CheckSessionSandbox(p);
    if (!shareable.ok()) {
      // A contradiction on the command line, not a place: fail at once.
      Say(shareable.error());
      return kExitSetupError;
    }
  }
  mcp::ServerOptions o;
  o.self_exe = self.value();
  o.policy_args = command.policy_args;
  // Runs get the resolved workspace, whatever the cwd of the agent.
  if (!command.overrides.workspace) {
    o.policy_args.insert(o.policy_args.begin(), {"--workspace", p.workspace});
  }
  o.workspace = p.workspace;
  o.tool_description = Describe(p, command.session_sandbox);
  o.approval = p.approval;
  o.approval_timeout_seconds = p.approval_timeout_seconds;
  o.max_output = command.max_output;
  o.session_sandbox = command.session_sandbox;
  o.trusted_commands = p.trusted_commands;
  o.version = CORDON_VERSION;
  o.check_writable = [facts = approval::FactsFrom(p)](const std::string& path) {
    return approval::CheckWritableRequest(path, facts);
  };
  // The approvals the server asks itself are a run of their own in the
  // audit trail (each call's sandbox records its own events).
  RunEvents events(resolved->host, p, /*verbose=*/false);
  o.events = events.sink();
  int status = mcp::Serve(STDIN_FILENO, STDOUT_FILENO, o);
  events.Finish();
  return status;
}

}  // namespace cordon::cli
