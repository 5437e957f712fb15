// The policy flags of `cordon run`, `cordon policy show` and `cordon mcp`,
// as one table: each flag writes the ConfigLayer field its config key
// writes (origin "flag --NAME"), so flags and config files share one schema
// and one resolution path (loader.h). A widening granted while cordon runs
// (an approved re-run, an MCP request) is one more entry of this layer
// (Grant), and so passes every check a flag passes.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "policy/config_file.h"

namespace cordon::policy {

// Policy options given on the command line: where the layers come from, and
// the flag layer itself (paths as typed, relative to HostFacts::cwd).
struct Overrides {
  std::optional<std::string> workspace;    // --workspace DIR
  std::optional<std::string> config_file;  // --config FILE
  bool no_config = false;                  // --no-config
  ConfigLayer flags = [] {
    ConfigLayer l;
    l.kind = ConfigKind::kFlags;
    return l;
  }();
};

struct PolicyFlag {
  enum class Arity { kOne, kRepeatable, kSwitch };
  const char* name;  // "--writable"
  Arity arity;
  const char* type_name;  // "PATH"; empty for a switch
  const char* help;
};

// Every policy flag, in the order `--help` lists them.
[[nodiscard]] std::span<const PolicyFlag> PolicyFlags();

// Applies one occurrence of flag `name` ("--mode") with `value` (empty for a
// switch). A bad value is an Error whose detail says what is expected
// ("--mode: expected one of ... (got 'x')"); names are checked by Resolve.
[[nodiscard]] Status AddFlag(Overrides* overrides, std::string_view name, const std::string& value);

// What the person approved while cordon runs: one more writable path or
// destination, recorded as a flag-layer entry whose origin names `source`
// ("approval (re-run)").
enum class GrantKind { kWritable, kNetwork };
void Grant(Overrides* overrides, GrantKind kind, const std::string& value,
           const std::string& source);

}  // namespace cordon::policy
