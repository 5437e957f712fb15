// Command-line parsing with CLI11: argv (without the program name) to a
// typed Command.
//
// Everything after the first "--" is the command, taken verbatim; only the
// part before it goes to CLI11. CLI11 reports bad input by throwing: every
// exception is caught here and becomes a one-line Error. Option values that
// need checking (modes, the timeout) are read as strings and checked here so
// that the messages say what is expected.
#include "cli/flags.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <exception>
#include <map>
#include <optional>
#include <tuple>

#include "cli/log_flags.h"
#include "cli/maintenance_flags.h"
#include "policy/names.h"
#include "telemetry/log_reader.h"

namespace cordon::cli {

namespace {

constexpr const char* kTopDescription =
    "cordon runs a command inside an OS-enforced sandbox (Landlock, namespaces, seccomp):\n"
    "it may write only its workspace, it cannot read your secrets (~/.ssh, cloud\n"
    "credentials, browser profiles, shell history...), it has no network unless you\n"
    "grant it, and it leaves nothing behind on the host.";

constexpr const char* kTopFooter =
    "Examples:\n"
    "  cordon run -- make test                 run in the current directory\n"
    "  cordon run --workspace ~/src/app -- npm install\n"
    "  cordon run --net full --read ~/.m2 -- mvn package\n"
    "  cordon run --net proxy --allow-domain pypi.org --allow-domain files.pythonhosted.org \\\n"
    "      -- pip install requests\n"
    "  cordon policy show                      what a run here may read and write\n"
    "  cordon log --since 1h --denied          what runs were refused in the last hour\n"
    "  cordon mcp --net proxy                  an MCP server for agents (docs/mcp.md)\n"
    "  cordon session start                    a warm sandbox for 'cordon run --session'\n"
    "\n"
    "Config: $XDG_CONFIG_HOME/cordon/config.toml (user), WORKSPACE/.cordon.toml\n"
    "(project, may only narrow). See docs/config.md.\n"
    "Run 'cordon run --help' for the policy options.";

constexpr const char* kRunDescription =
    "Run CMD [ARGS...] in the sandbox; everything after '--' is passed verbatim.\n";

constexpr const char* kRunFooter =
    "Policy: built-in defaults, then the user and project config files, then these\n"
    "flags ('cordon policy show' with the same options prints the result).\n"
    "\n"
    "Exit status: the command's; 128+N when signal N killed it; 124 on --timeout;\n"
    "125 when cordon itself fails (bad flag, bad config, sandbox setup);\n"
    "126 when CMD is not executable; 127 when it is not found.\n"
    "\n"
    "Paths: '~' is your home; relative paths are relative to the current directory.\n"
    "Deny-read always wins: a --read path inside a deny-read path stays hidden.\n"
    "\n"
    "Examples:\n"
    "  cordon run -- pytest -x\n"
    "  cordon run --mode read-only -- git log\n"
    "  cordon run --writable ~/.cache/pip --net full -- pip install -r requirements.txt\n"
    "  cordon run --env GITHUB_TOKEN --env CI=1 -- ./release.sh";

constexpr const char* kShowDescription =
    "Print the resolved policy: every path with its access, the network mode, the\n"
    "environment rules, and where each rule came from (built-in default, config\n"
    "file:line:column, or flag). Takes the same policy options as 'cordon run'.\n";

constexpr const char* kShowFooter =
    "Examples:\n"
    "  cordon policy show\n"
    "  cordon policy show --workspace ~/src/app --json\n"
    "  cordon policy show --no-config      the built-in defaults alone";

constexpr const char* kLogDescription =
    "Show the audit trail: the events of every run (OTLP/JSON lines in\n"
    "$XDG_STATE_HOME/cordon/events/), as a table or as the raw records.\n";

constexpr const char* kLogFooter =
    "Times: RFC 3339 (2026-05-01T12:00:00Z, 2026-05-01T14:00:00+02:00), a day\n"
    "(2026-05-01, UTC), or a duration before now (90s, 15m, 1h, 2d, 1w).\n"
    "\n"
    "Examples:\n"
    "  cordon log --since 1h\n"
    "  cordon log --kind net --denied\n"
    "  cordon log --run 4bf92f35 --json | jq .\n"
    "  cordon log --follow";

// Storage for one parse; options of `run` and `policy show` share it since
// only one of them is ever selected. The policy flags are kept by name, as
// typed, and go through policy::AddFlag after the parse.
struct RawOptions {
  std::map<std::string, std::string, std::less<>> one;  // Arity::kOne
  std::map<std::string, std::vector<std::string>, std::less<>> repeated;
  std::map<std::string, bool, std::less<>> switches;
  std::string timeout;
  std::string approval_fd;  // internal (cordon mcp)
  std::string session_fd;   // internal (cordon mcp --session-sandbox)
  std::string trace_id;     // internal (cordon session)
  bool session = false;
  bool verbose = false;
  bool quiet = false;
  bool json = false;
  bool version = false;
};

Error Usage(const std::string& where, const std::string& detail) {
  // The caller prefixes "cordon: ", so the op is the subcommand alone.
  std::string op = where == "cordon" ? "command line" : where.substr(std::string("cordon ").size());
  return PlainError(std::move(op), "", detail + " (see '" + where + " --help')");
}

// CLI11 2.1 has no usage override: append the command operand to run's
// usage line.
class RunFormatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App* app, std::string name) const override {
    std::string usage = CLI::Formatter::make_usage(app, std::move(name));
    size_t end = usage.find_last_not_of('\n');
    if (end != std::string::npos) {
      usage.insert(end + 1, " -- CMD [ARGS...]");
    }
    return usage;
  }
};

// What an exception out of a parser (CLI11's own, or bad_alloc) becomes.
Error CannotParse(const char* where, const std::exception& e) {
  return PlainError(where, "", std::string("cannot parse the command line: ") + e.what());
}

// The first argument CLI11 left over, as an error: an unknown option, or a
// stray word (most likely a command that should follow "--").
Error Leftover(const std::string& where, const std::vector<std::string>& extras) {
  const std::string& arg = extras.front();
  if (!arg.empty() && arg.front() == '-') {
    return Usage(where, "unknown option '" + arg + "'");
  }
  if (where == "cordon") {
    return Usage(where, "unknown command '" + arg + "'");
  }
  if (where == "cordon run") {
    return Usage(where, "unexpected argument '" + arg +
                            "': put the command after '--' (cordon run [OPTIONS] -- CMD)");
  }
  return Usage(where, "unexpected argument '" + arg + "'");
}

// A repeatable option taking exactly one value per occurrence.
void AddRepeatable(CLI::App* app, const char* name, std::vector<std::string>* out, const char* help,
                   const char* type_name = "PATH") {
  app->add_option(name, *out, help)
      ->type_name(type_name)
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->allow_extra_args(false);
}

// The policy flags (policy/flag_layer.h's table), then -v.
void AddPolicyOptions(CLI::App* app, RawOptions* o) {
  CLI::Option* config = nullptr;
  CLI::Option* no_config = nullptr;
  for (const policy::PolicyFlag& f : policy::PolicyFlags()) {
    using Arity = policy::PolicyFlag::Arity;
    switch (f.arity) {
      case Arity::kOne: {
        CLI::Option* opt = app->add_option(f.name, o->one[f.name], f.help)->type_name(f.type_name);
        if (std::string_view(f.name) == "--config") config = opt;
        break;
      }
      case Arity::kRepeatable:
        AddRepeatable(app, f.name, &o->repeated[f.name], f.help, f.type_name);
        break;
      case Arity::kSwitch: {
        CLI::Option* opt = app->add_flag(f.name, o->switches[f.name], f.help);
        if (std::string_view(f.name) == "--no-config") no_config = opt;
        break;
      }
    }
  }
  if (config != nullptr && no_config != nullptr) no_config->excludes(config);
  app->add_flag("-v,--verbose", o->verbose, "Explain what cordon sets up");
}

// The flag layer of the policy flags given to `sub`.
// The policy flags as given, by name: each value as typed ("" for a switch).
using GivenFlags = std::map<std::string_view, std::vector<std::string>>;

// The flag layer of `given`, each flag applied in the table's order
// (both parsers: the same flags make the same layer); the first bad value's
// error.
Result<policy::Overrides> ApplyPolicyFlags(const GivenFlags& given) {
  policy::Overrides ov;
  for (const policy::PolicyFlag& f : policy::PolicyFlags()) {
    auto it = given.find(f.name);
    if (it == given.end()) continue;
    for (const std::string& v : it->second) {
      CORDON_RETURN_IF_ERROR(policy::AddFlag(&ov, f.name, v));
    }
  }
  return ov;
}

Result<policy::Overrides> PolicyOverrides(const CLI::App* sub, const RawOptions& o,
                                          const std::string& where) {
  GivenFlags given;
  for (const policy::PolicyFlag& f : policy::PolicyFlags()) {
    if (sub->count(f.name) == 0) continue;
    using Arity = policy::PolicyFlag::Arity;
    switch (f.arity) {
      case Arity::kOne:
        given[f.name] = {o.one.find(f.name)->second};
        break;
      case Arity::kRepeatable:
        given[f.name] = o.repeated.find(f.name)->second;
        break;
      case Arity::kSwitch:
        if (o.switches.find(f.name)->second) given[f.name] = {""};
        break;
    }
  }
  auto ov = ApplyPolicyFlags(given);
  if (!ov.ok()) return Usage(where, ov.error().detail);
  return ov;
}

Result<int> ParseTimeout(const std::string& s) {
  int value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || value <= 0) {
    return Usage("cordon run",
                 "--timeout: expected a positive whole number of seconds (got '" + s + "')");
  }
  return value;
}

// `cordon run` as it is mostly spelled (policy flags, each value its own
// word or after '=', --timeout, --session, -q, -v, then "--" and the
// command), without CLI11: building its options is most of a run's own
// start-up work (bench/README.md). nullopt for anything else (help, a
// repeated or unknown flag, a value that looks like a flag, a bad value):
// the full parser takes it, and says what is wrong. tests/unit/flags_test.cc
// checks both parsers agree.
std::optional<RunArgs> QuickRunOf(const std::vector<std::string>& before,
                                  const std::optional<std::vector<std::string>>& after) {
  if (before.empty() || before.front() != "run" || !after || after->empty()) return std::nullopt;
  RunArgs r;
  GivenFlags given;
  bool timeout_seen = false;
  for (auto it = before.begin() + 1; it != before.end(); ++it) {
    std::string_view name = *it;
    std::optional<std::string> value;
    if (name.starts_with("--") && name.find('=') != std::string_view::npos) {
      value = std::string(name.substr(name.find('=') + 1));
      name = name.substr(0, name.find('='));
    }
    bool* own = name == "--session"                   ? &r.session
                : name == "-q" || name == "--quiet"   ? &r.quiet
                : name == "-v" || name == "--verbose" ? &r.verbose
                                                      : nullptr;
    if (own != nullptr) {
      if (value || *own) return std::nullopt;
      *own = true;
      continue;
    }
    const auto flags = policy::PolicyFlags();
    auto f = std::find_if(flags.begin(), flags.end(),
                          [&](const policy::PolicyFlag& p) { return name == p.name; });
    if (f == flags.end() && name != "--timeout") return std::nullopt;
    const bool is_switch = f != flags.end() && f->arity == policy::PolicyFlag::Arity::kSwitch;
    if (is_switch && value) return std::nullopt;
    if (!is_switch && !value) {
      if (it + 1 == before.end()) return std::nullopt;
      value = *++it;
    }
    if (!is_switch && (value->empty() || value->front() == '-')) return std::nullopt;
    if (name == "--timeout") {
      auto t = ParseTimeout(*value);
      if (timeout_seen || !t.ok()) return std::nullopt;
      timeout_seen = true;
      r.timeout_seconds = t.value();
      continue;
    }
    std::vector<std::string>& values = given[f->name];
    if (!values.empty() && f->arity != policy::PolicyFlag::Arity::kRepeatable) return std::nullopt;
    values.push_back(is_switch ? std::string() : std::move(*value));
  }
  if (given.count("--config") != 0 && given.count("--no-config") != 0) return std::nullopt;
  auto overrides = ApplyPolicyFlags(given);
  if (!overrides.ok()) return std::nullopt;
  r.overrides = std::move(overrides).value();
  r.options.assign(before.begin() + 1, before.end());
  r.argv = *after;
  return r;
}

// The parsers below build CLI11's objects on the stack (frames of 24 to 30
// KB): kept out of line, so that ParseArgs's own frame stays small on the
// quick path. Every stack page a start first touches is a page fault.
[[gnu::noinline]] Result<Command> Parse(const std::vector<std::string>& args) {
  auto dashdash = std::find(args.begin(), args.end(), "--");
  std::vector<std::string> before(args.begin(), dashdash);
  std::optional<std::vector<std::string>> after;
  if (dashdash != args.end()) {
    after.emplace(dashdash + 1, args.end());
  }

  RawOptions o;
  LogArgs log_args;
  CLI::App app(kTopDescription, "cordon");
  app.require_subcommand(0, 1);
  app.allow_extras();
  app.add_flag("--version", o.version, "Print cordon's version and exit");
  CLI::App* run = app.add_subcommand("run", "Run a command in the sandbox");
  CLI::App* policy = app.add_subcommand("policy", "Inspect the resolved policy ('policy show')");
  CLI::App* show = policy->add_subcommand("show", "Print the resolved policy and its origins");
  CLI::App* log = app.add_subcommand("log", "Show the audit trail of past runs");
  // `cordon run` is the command that runs hundreds of times a session: the
  // other subcommands' options are not built for it (a third of the parse;
  // none of them can be parsed after "run", the top level takes one
  // subcommand).
  const bool run_first = !before.empty() && before.front() == "run";
  std::optional<MaintenanceParser> maintenance;
  if (!run_first) maintenance.emplace(&app);
  // Set after the subcommands exist: CLI11 copies the parent's footer into
  // each new subcommand.
  app.footer(kTopFooter);
  policy->footer(kShowFooter);
  policy->allow_extras();
  policy->require_subcommand(0, 1);

  run->description(kRunDescription);
  run->footer(kRunFooter);
  run->formatter(std::make_shared<RunFormatter>());
  run->allow_extras();
  AddPolicyOptions(run, &o);
  run->add_option("--timeout", o.timeout,
                  "Kill the whole process tree after this many seconds (exit status 124)")
      ->type_name("SECONDS");
  run->add_flag("-q,--quiet", o.quiet,
                "Print no summary of the run's denials at its end (they stay in 'cordon log')");
  // Internal, for `cordon mcp`: approval questions go to this inherited fd.
  run->add_option("--approval-fd", o.approval_fd, "")->group("");
  // Internal, for `cordon mcp --session-sandbox`: serve its calls on this fd.
  run->add_option("--session-fd", o.session_fd, "")->group("");
  // Internal, for `cordon session`: the events' trace, the session's.
  run->add_option("--trace-id", o.trace_id, "")->group("");
  run->add_flag("--session", o.session,
                "Run in this workspace's session sandbox ('cordon session start') when its "
                "policy is this run's; else in a fresh sandbox");

  show->description(kShowDescription);
  show->footer(kShowFooter);
  show->allow_extras();
  if (!run_first) {
    AddPolicyOptions(show, &o);
    show->add_flag("--json", o.json, "Print JSON instead of text");
  }

  log->description(kLogDescription);
  log->footer(kLogFooter);
  log->allow_extras();
  if (!run_first) AddLogOptions(log, &log_args);

  // CLI11 takes the arguments in reverse order.
  std::vector<std::string> reversed(before.rbegin(), before.rend());
  Command cmd;
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    cmd.kind = Command::Kind::kHelp;
    cmd.help_text = app.help();
    return cmd;
  } catch (const CLI::ParseError& e) {
    std::string where = "cordon";
    if (run->parsed()) {
      where = "cordon run";
    }
    if (policy->parsed()) {
      where = show->parsed() ? "cordon policy show" : "cordon policy";
    }
    if (log->parsed()) where = "cordon log";
    if (std::string m = maintenance ? maintenance->Where() : ""; !m.empty()) {
      where = m;
    }
    return Usage(where, e.what());
  }

  for (const auto& [sub, where] :
       {std::pair{&app, "cordon"}, std::pair{run, "cordon run"}, std::pair{policy, "cordon policy"},
        std::pair{show, "cordon policy show"}, std::pair{log, "cordon log"}}) {
    if (!sub->remaining().empty()) {
      return Leftover(where, sub->remaining());
    }
  }
  if (auto leftover = maintenance ? maintenance->Leftover() : std::nullopt) {
    return *leftover;
  }
  if (policy->parsed() && !show->parsed()) {
    return Usage("cordon policy", "expected a subcommand: 'cordon policy show'");
  }
  if (log->parsed() && !o.version) {
    if (after) return Usage("cordon log", "takes no command after '--'");
    if (!log_args.kind.empty() && !telemetry::IsLogKind(log_args.kind)) {
      return Usage("cordon log", std::string("--kind: expected one of ") + telemetry::kLogKinds +
                                     " (got '" + log_args.kind + "')");
    }
    cmd.kind = Command::Kind::kLog;
    cmd.log = std::move(log_args);
    return cmd;
  }
  if (o.version) {
    if (run->parsed() || policy->parsed() || log->parsed() || after) {
      return Usage("cordon", "--version takes no command");
    }
    cmd.kind = Command::Kind::kVersion;
    return cmd;
  }
  if (auto m = maintenance ? maintenance->Finish(after.has_value()) : std::nullopt) {
    return *m;
  }
  if (!run->parsed() && !show->parsed()) {
    if (after) {
      return Usage("cordon", "'--' must follow 'cordon run [OPTIONS]'");
    }
    cmd.kind = Command::Kind::kHelp;
    cmd.help_text = app.help();
    return cmd;
  }

  const std::string where = run->parsed() ? "cordon run" : "cordon policy show";
  auto overrides = PolicyOverrides(run->parsed() ? run : show, o, where);
  if (!overrides.ok()) return overrides.error();

  if (show->parsed()) {
    if (after) {
      return Usage(where, "takes no command after '--'");
    }
    cmd.kind = Command::Kind::kPolicyShow;
    cmd.show.overrides = std::move(overrides).value();
    cmd.show.verbose = o.verbose;
    cmd.show.json = o.json;
    return cmd;
  }

  cmd.kind = Command::Kind::kRun;
  RunArgs& r = cmd.run;
  r.overrides = std::move(overrides).value();
  r.verbose = o.verbose;
  r.quiet = o.quiet;
  if (run->count("--timeout") > 0) {
    auto t = ParseTimeout(o.timeout);
    if (!t.ok()) {
      return t.error();
    }
    r.timeout_seconds = t.value();
  }
  for (auto [name, text, out] : {std::tuple{"--approval-fd", &o.approval_fd, &r.approval_fd},
                                 std::tuple{"--session-fd", &o.session_fd, &r.session_fd}}) {
    if (run->count(name) == 0) continue;
    int fd = -1;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), fd);
    if (ec != std::errc() || end != text->data() + text->size() || fd < 3) {
      return Usage(where, std::string(name) + ": expected a file descriptor number above 2");
    }
    *out = fd;
  }
  r.session = o.session;
  r.options.assign(before.begin() + 1, before.end());  // after "run"
  if (run->count("--trace-id") > 0) {
    const bool hex = o.trace_id.size() == 32 &&
                     o.trace_id.find_first_not_of("0123456789abcdef") == std::string::npos &&
                     o.trace_id != std::string(32, '0');
    if (!hex || r.session_fd < 0) {
      return Usage(where, "--trace-id: internal, for --session-fd: 32 lowercase hex digits");
    }
    r.trace_id = o.trace_id;
  }
  if (r.session && (r.session_fd >= 0 || r.approval_fd >= 0)) {
    return Usage(where, "--session cannot be combined with --session-fd or --approval-fd");
  }
  if (r.session_fd >= 0) {
    // The session serves calls; this names it in prompts and the audit trail.
    if (after && !after->empty()) return Usage(where, "--session-fd takes no command");
    r.argv = {"cordon-mcp-session"};
    return cmd;
  }
  if (!after) {
    return Usage(where, "missing command: use 'cordon run [OPTIONS] -- CMD [ARGS...]'");
  }
  if (after->empty()) {
    return Usage(where, "no command after '--'");
  }
  r.argv = std::move(*after);
  return cmd;
}

constexpr const char* kMcpHelp =
    "Usage: cordon mcp [POLICY OPTIONS] [--max-output BYTES] [--session-sandbox]\n"
    "\n"
    "Serve the Model Context Protocol over stdio (JSON-RPC 2.0, revision 2025-06-18):\n"
    "an agent started with this server runs its commands through the 'run' tool, each\n"
    "in a fresh sandbox (or all in one: --session-sandbox) with the policy these\n"
    "options give (the same options as 'cordon run'; see 'cordon run --help').\n"
    "Approvals reach you through the agent's MCP client (elicitation) when it\n"
    "supports them.\n"
    "\n"
    "  --max-output BYTES   stdout and stderr kept per call and stream (default 65536)\n"
    "  --session-sandbox    run every call of the session in one sandbox (one /tmp, one\n"
    "                       proxy, answers remembered): later calls start faster\n"
    "\n"
    "Example (.mcp.json of Claude Code):\n"
    "  {\"mcpServers\": {\"cordon\": {\"command\": \"cordon\", \"args\": [\"mcp\"]}}}\n"
    "See docs/mcp.md.\n";

// `cordon mcp`: its own option (--max-output), the rest are the policy
// options, checked by parsing them as `cordon policy show` would and kept
// verbatim for each `cordon run` the server starts.
[[gnu::noinline]] Result<Command> ParseMcp(const std::vector<std::string>& args) {
  Command cmd;
  std::vector<std::string> rest;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      cmd.kind = Command::Kind::kHelp;
      cmd.help_text = kMcpHelp;
      return cmd;
    }
    if (a == "--max-output" || a.rfind("--max-output=", 0) == 0) {
      std::string v;
      if (a == "--max-output") {
        if (i + 1 >= args.size()) return Usage("cordon mcp", "--max-output needs a value");
        v = args[++i];
      } else {
        v = a.substr(std::string("--max-output=").size());
      }
      size_t n = 0;
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      if (ec != std::errc() || end != v.data() + v.size() || n < 1024 || n > (64u << 20)) {
        return Usage("cordon mcp",
                     "--max-output: expected a number of bytes from 1024 to "
                     "67108864 (got '" +
                         v + "')");
      }
      cmd.mcp.max_output = n;
      continue;
    }
    if (a == "--session-sandbox") {
      cmd.mcp.session_sandbox = true;
      continue;
    }
    if (a == "--" || a == "--json" || a == "--timeout" || a.rfind("--timeout=", 0) == 0 ||
        a == "--approval-fd" || a.rfind("--approval-fd=", 0) == 0 || a == "--session-fd" ||
        a.rfind("--session-fd=", 0) == 0) {
      return Usage("cordon mcp", "unexpected argument '" + a + "'");
    }
    rest.push_back(a);
  }
  std::vector<std::string> show = {"policy", "show"};
  show.insert(show.end(), rest.begin(), rest.end());
  Result<Command> parsed = [&]() -> Result<Command> {
    try {
      return Parse(show);
    } catch (const std::exception& e) {
      return CannotParse("cordon mcp", e);
    }
  }();
  if (!parsed.ok()) {
    Error e = parsed.error();
    e.op = "mcp";
    return e;
  }
  if (parsed.value().kind != Command::Kind::kPolicyShow) {
    return Usage("cordon mcp", "unexpected arguments");
  }
  cmd.kind = Command::Kind::kMcp;
  cmd.mcp.overrides = std::move(parsed).value().show.overrides;
  cmd.mcp.policy_args = std::move(rest);
  return cmd;
}

constexpr const char* kSessionHelp =
    "Usage: cordon session start [POLICY OPTIONS] [--idle-timeout SECONDS]\n"
    "       cordon session stop [--workspace DIR | --all]\n"
    "       cordon session status [--json]\n"
    "\n"
    "A session is one sandbox kept warm for a workspace: 'cordon run --session' hands\n"
    "its command to it when the run's policy is the session's (same options, same\n"
    "config, same host), and starts a fresh sandbox otherwise. A command in the\n"
    "session starts in a fraction of a fresh sandbox's time, and gets what a fresh\n"
    "run gives: its own processes (none outlives it), its exit status, its events.\n"
    "It shares the session's /tmp, proxy and process list with the session's other\n"
    "commands (docs/session.md).\n"
    "\n"
    "  start            start this workspace's session with the policy these options\n"
    "                   give (the same options as 'cordon run')\n"
    "  --idle-timeout S end it after S seconds without a command (default 3600; 0: never)\n"
    "  stop             end this workspace's session (--workspace DIR: that one's;\n"
    "                   --all: every session of yours); its running commands are killed\n"
    "  status           list your sessions\n"
    "\n"
    "Examples:\n"
    "  cordon session start --net proxy --allow-domain pypi.org\n"
    "  cordon run --session --net proxy --allow-domain pypi.org -- pytest -x\n"
    "  cordon session stop\n";

// A whole number of seconds, 0 to a year.
Result<int> ParseSeconds(const std::string& flag, const std::string& v) {
  int n = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n < 0 ||
      n > 366 * 24 * 3600) {
    return Usage("cordon session",
                 flag + ": expected a whole number of seconds, 0 for never (got '" + v + "')");
  }
  return n;
}

[[gnu::noinline]] Result<Command> ParseSession(const std::vector<std::string>& args) {
  Command cmd;
  cmd.kind = Command::Kind::kHelp;
  cmd.help_text = kSessionHelp;
  if (args.size() < 2 || args[1] == "-h" || args[1] == "--help") return cmd;
  const std::string& verb = args[1];
  std::vector<std::string> rest(args.begin() + 2, args.end());
  if (std::find(rest.begin(), rest.end(), "-h") != rest.end() ||
      std::find(rest.begin(), rest.end(), "--help") != rest.end()) {
    return cmd;
  }
  // "--flag VALUE" or "--flag=VALUE" at rest[*i]; nullopt when it is another.
  auto value = [&rest](size_t* i, const std::string& flag) -> Result<std::optional<std::string>> {
    const std::string& a = rest[*i];
    if (a == flag) {
      if (*i + 1 >= rest.size()) return Usage("cordon session", flag + " needs a value");
      return std::optional<std::string>(rest[++*i]);
    }
    if (a.rfind(flag + "=", 0) == 0) return std::optional<std::string>(a.substr(flag.size() + 1));
    return std::optional<std::string>();
  };
  if (verb == "start") {
    std::vector<std::string> policy_args;
    for (size_t i = 0; i < rest.size(); ++i) {
      auto idle = value(&i, "--idle-timeout");
      if (!idle.ok()) return idle.error();
      if (idle.value()) {
        auto n = ParseSeconds("--idle-timeout", *idle.value());
        if (!n.ok()) return n.error();
        cmd.session.idle_timeout_seconds = n.value();
        continue;
      }
      const std::string& a = rest[i];
      if (a == "--" || a == "--json" || a == "--session" || a.rfind("--timeout", 0) == 0 ||
          a.rfind("--approval-fd", 0) == 0 || a.rfind("--session-fd", 0) == 0 ||
          a.rfind("--trace-id", 0) == 0) {
        return Usage("cordon session", "start: unexpected argument '" + a + "'");
      }
      policy_args.push_back(a);
    }
    std::vector<std::string> show = {"policy", "show"};
    show.insert(show.end(), policy_args.begin(), policy_args.end());
    Result<Command> parsed = Parse(show);
    if (!parsed.ok()) {
      Error e = parsed.error();
      e.op = "session start";
      return e;
    }
    cmd.kind = Command::Kind::kSessionStart;
    cmd.session.overrides = std::move(parsed).value().show.overrides;
    cmd.session.policy_args = std::move(policy_args);
    return cmd;
  }
  if (verb == "stop") {
    for (size_t i = 0; i < rest.size(); ++i) {
      auto ws = value(&i, "--workspace");
      if (!ws.ok()) return ws.error();
      if (ws.value()) {
        cmd.session.workspace = *ws.value();
      } else if (rest[i] == "--all") {
        cmd.session.all = true;
      } else {
        return Usage("cordon session", "stop: unexpected argument '" + rest[i] + "'");
      }
    }
    if (cmd.session.all && !cmd.session.workspace.empty()) {
      return Usage("cordon session", "stop: --all and --workspace exclude each other");
    }
    cmd.kind = Command::Kind::kSessionStop;
    return cmd;
  }
  if (verb == "status") {
    for (const std::string& a : rest) {
      if (a != "--json") return Usage("cordon session", "status: unexpected argument '" + a + "'");
      cmd.session.json = true;
    }
    cmd.kind = Command::Kind::kSessionStatus;
    return cmd;
  }
  return Usage("cordon session",
               "unknown subcommand '" + verb + "': expected start, stop or status");
}

}  // namespace

std::optional<RunArgs> QuickRun(const std::vector<std::string>& args) {
  auto dashdash = std::find(args.begin(), args.end(), "--");
  std::optional<std::vector<std::string>> after;
  if (dashdash != args.end()) after.emplace(dashdash + 1, args.end());
  return QuickRunOf({args.begin(), dashdash}, after);
}

Result<Command> ParseArgsFull(const std::vector<std::string>& args) {
  try {
    return Parse(args);
  } catch (const std::exception& e) {
    return CannotParse("cordon", e);
  }
}

Result<Command> ParseArgs(const std::vector<std::string>& args) {
  std::optional<RunArgs> run;
  try {
    run = QuickRun(args);
  } catch (const std::exception& e) {
    return CannotParse("cordon", e);
  }
  if (run) {
    Command cmd;
    cmd.kind = Command::Kind::kRun;
    cmd.run = std::move(*run);
    return cmd;
  }
  // Not a user command (not in --help): doctor's in-sandbox probe.
  if (!args.empty() && args.front() == "__doctor-probe") {
    Command cmd;
    cmd.kind = Command::Kind::kDoctorProbe;
    cmd.probe_args.assign(args.begin() + 1, args.end());
    return cmd;
  }
  if (!args.empty() && args.front() == "mcp") return ParseMcp(args);
  if (!args.empty() && args.front() == "session") {
    try {
      return ParseSession(args);
    } catch (const std::exception& e) {
      return CannotParse("cordon session", e);
    }
  }
  try {
    return Parse(args);
  } catch (const std::exception& e) {
    return CannotParse("cordon", e);
  }
}

}  // namespace cordon::cli
