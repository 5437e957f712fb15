// Command-line parsing of the maintenance subcommands: setup, doctor,
// uninstall and secret {set,get,list,rm}. Kept apart from flags.cc, which
// owns `run` and `policy show`; flags.cc calls in at three points.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "cli/flags.h"

namespace cordon::cli {

class MaintenanceParser {
 public:
  // Adds the subcommands to `app` (before the caller sets footers).
  explicit MaintenanceParser(CLI::App* app);

  // "cordon secret set" etc. for the subcommand CLI11 was in when it threw;
  // empty when none of ours was parsed.
  [[nodiscard]] std::string Where() const;
  // The first leftover argument of one of ours, as an error.
  [[nodiscard]] std::optional<Error> Leftover() const;
  // After a successful parse: the command when one of ours was given.
  // `after_dashdash`: the command line had a "--" (none of ours takes one).
  [[nodiscard]] std::optional<Result<Command>> Finish(bool after_dashdash) const;

 private:
  CLI::App* setup_;
  CLI::App* doctor_;
  CLI::App* uninstall_;
  CLI::App* secret_;
  CLI::App* set_;
  CLI::App* get_;
  CLI::App* list_;
  CLI::App* rm_;
  std::string name_;
  bool json_ = false;
  bool from_stdin_ = false;
  bool reveal_ = false;
  bool purge_ = false;
  bool yes_ = false;
};

}  // namespace cordon::cli
