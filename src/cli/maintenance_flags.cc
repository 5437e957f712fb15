// The maintenance subcommands' options, with CLI11 (see flags.cc for the
// conventions: CLI11 throws, flags.cc catches; errors are one line).
#include "cli/maintenance_flags.h"

#include <utility>
#include <vector>

namespace cordon::cli {

namespace {

Error Usage(const std::string& where, const std::string& detail) {
  return PlainError(where.substr(std::string("cordon ").size()), "",
                    detail + " (see '" + where + " --help')");
}

}  // namespace

MaintenanceParser::MaintenanceParser(CLI::App* app) {
  setup_ = app->add_subcommand(
      "setup", "Check what this kernel lets cordon enforce; create cordon's state and vault key");
  setup_->description(
      "Probe the kernel (Landlock, user and network namespaces, seccomp, cgroup v2) and print\n"
      "what cordon can enforce here, with remedies; create cordon's state directory\n"
      "($XDG_STATE_HOME/cordon, 0700) and the vault key. Writes nothing else. Idempotent.\n");
  setup_->add_flag("--json", json_, "Print JSON instead of a table");

  doctor_ = app->add_subcommand("doctor", "Verify the sandbox's claims live, on this machine");
  doctor_->description(
      "Run the verification checklist through real sandboxes (writes, secret paths, ~/.ssh\n"
      "integrity, network, leftovers) and print PASS/FAIL/SKIP with a remedy for each.\n"
      "Exit status 1 when any check fails. Your user config applies, as to 'cordon run'.\n");

  uninstall_ = app->add_subcommand("uninstall", "Remove everything cordon created");
  uninstall_->description(
      "Remove cordon's state (the vault after confirmation or --yes; the event log only with\n"
      "--purge) and, when run from a 'cmake --install' prefix, cordon's installed files;\n"
      "then check that none of it remains. Your config file is yours and is kept.\n");
  uninstall_->add_flag("--purge", purge_, "Also remove the event log");
  uninstall_->add_flag("-y,--yes", yes_, "Remove the vault without asking");

  secret_ = app->add_subcommand("secret", "Manage the credential vault (set, get, list, rm)");
  secret_->description(
      "Secrets are encrypted (XChaCha20-Poly1305) under a key bound to this machine and user.\n"
      "A command sees one only when granted: 'cordon run --secret NAME' or [secrets] in the\n"
      "user config.\n");
  secret_->require_subcommand(0, 1);
  secret_->allow_extras();
  set_ = secret_->add_subcommand("set", "Store a secret (read from the terminal without echo)");
  set_->add_option("NAME", name_, "Secret name ([A-Za-z_][A-Za-z0-9_]*)")->required();
  set_->add_flag("--stdin", from_stdin_,
                 "Read the value from standard input (one trailing newline is dropped)");
  get_ = secret_->add_subcommand("get", "Print a secret's value (not to a terminal)");
  get_->add_option("NAME", name_, "Secret name")->required();
  get_->add_flag("--reveal", reveal_, "Print it even when standard output is a terminal");
  list_ = secret_->add_subcommand("list", "List the secret names (never the values)");
  rm_ = secret_->add_subcommand("rm", "Remove a secret");
  rm_->add_option("NAME", name_, "Secret name")->required();
  for (CLI::App* sub : {setup_, doctor_, uninstall_, set_, get_, list_, rm_}) {
    sub->allow_extras();
  }
}

std::string MaintenanceParser::Where() const {
  for (const auto& [sub, where] :
       {std::pair{set_, "cordon secret set"}, std::pair{get_, "cordon secret get"},
        std::pair{list_, "cordon secret list"}, std::pair{rm_, "cordon secret rm"},
        std::pair{secret_, "cordon secret"}, std::pair{setup_, "cordon setup"},
        std::pair{doctor_, "cordon doctor"}, std::pair{uninstall_, "cordon uninstall"}}) {
    if (sub->parsed()) return where;
  }
  return {};
}

std::optional<Error> MaintenanceParser::Leftover() const {
  for (const CLI::App* sub : {setup_, doctor_, uninstall_, secret_, set_, get_, list_, rm_}) {
    std::vector<std::string> rest = sub->remaining();
    if (!rest.empty()) {
      std::string where = "cordon " + sub->get_name();
      if (sub->get_parent() == secret_) where = "cordon secret " + sub->get_name();
      const std::string& arg = rest.front();
      return Usage(where, (!arg.empty() && arg.front() == '-' ? "unknown option '"
                                                              : "unexpected argument '") +
                              arg + "'");
    }
  }
  return std::nullopt;
}

std::optional<Result<Command>> MaintenanceParser::Finish(bool after_dashdash) const {
  std::string where = Where();
  if (where.empty()) return std::nullopt;
  if (after_dashdash) return Result<Command>(Usage(where, "takes no command after '--'"));
  Command cmd;
  if (setup_->parsed()) {
    cmd.kind = Command::Kind::kSetup;
  } else if (doctor_->parsed()) {
    cmd.kind = Command::Kind::kDoctor;
  } else if (uninstall_->parsed()) {
    cmd.kind = Command::Kind::kUninstall;
  } else if (set_->parsed()) {
    cmd.kind = Command::Kind::kSecretSet;
  } else if (get_->parsed()) {
    cmd.kind = Command::Kind::kSecretGet;
  } else if (list_->parsed()) {
    cmd.kind = Command::Kind::kSecretList;
  } else if (rm_->parsed()) {
    cmd.kind = Command::Kind::kSecretRm;
  } else {
    return Result<Command>(Usage("cordon secret", "expected a subcommand: set, get, list or rm"));
  }
  cmd.maintenance = MaintenanceArgs{.json = json_,
                                    .secret_name = name_,
                                    .from_stdin = from_stdin_,
                                    .reveal = reveal_,
                                    .purge = purge_,
                                    .yes = yes_};
  return Result<Command>(std::move(cmd));
}

}  // namespace cordon::cli
