// `cordon log`'s options (see log_flags.h).
#include "cli/log_flags.h"

#include <CLI/CLI.hpp>
#include <cstdio>

#include "cli/log_host.h"
#include "common/outcome.h"
#include "telemetry/log_reader.h"

namespace cordon::cli {

void AddLogOptions(CLI::App* app, LogArgs* args) {
  app->add_flag("--json", args->json, "Print the raw OTLP/JSON lines instead of a table");
  app->add_option("--since", args->since, "Only events at or after TIME")->type_name("TIME");
  app->add_option("--until", args->until, "Only events before TIME")->type_name("TIME");
  app->add_option("--run", args->run, "Only the run with this id (or id prefix)")->type_name("ID");
  app->add_option("--kind", args->kind,
                  "Only events of this kind: exec | net | approval | fs | session | policy")
      ->type_name("KIND");
  app->add_flag("--denied", args->denied, "Only refusals (network, filesystem, approval)");
  app->add_flag("-f,--follow", args->follow, "Keep printing new events as they are written");
}

int LogFromArgs(const std::vector<std::string>& args) {
  LogArgs log_args;
  CLI::App app(
      "Show the audit trail: the events of every run (OTLP/JSON lines in\n"
      "%LOCALAPPDATA%\\cordon\\events\\), as a table or as the raw records.\n",
      "cordon log");
  AddLogOptions(&app, &log_args);
  app.footer(
      "Times: RFC 3339 (2026-05-01T12:00:00Z), a day (2026-05-01, UTC), or a duration\n"
      "before now (90s, 15m, 1h, 2d, 1w).");
  // CLI11 takes the arguments in reverse order.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    std::fputs(app.help().c_str(), stdout);
    return 0;
  } catch (const CLI::ParseError& e) {
    log_host::Say(PlainError("log", "", std::string(e.what()) + " (see 'cordon log --help')"));
    return kExitSetupError;
  }
  if (!log_args.kind.empty() && !telemetry::IsLogKind(log_args.kind)) {
    log_host::Say(PlainError("log", "",
                             std::string("--kind: expected one of ") + telemetry::kLogKinds +
                                 " (got '" + log_args.kind + "')"));
    return kExitSetupError;
  }
  return LogCommand(log_args);
}

}  // namespace cordon::cli
