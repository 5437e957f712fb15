// A pre-parse screen for hostile TOML: refuses the inputs on which toml++
// 3.3.0 (Debian 12's) reaches undefined behaviour instead of reporting a
// parse error.
//
// The project file comes from a cloned repository, so it is attacker
// input. Known toml++ 3.3.0 defects this screen keeps away from it:
// - is_non_ascii_horizontal_whitespace() hits __builtin_unreachable() for
//   most non-ASCII code points (upstream issues marzer/tomlplusplus#190,
//   #295, fixed by #305): non-ASCII text is allowed only inside strings and
//   comments (TOML 1.0 allows it nowhere else), and not where a multi-line
//   basic string's line-ending backslash makes toml++ skip whitespace;
// - parse_key() is entered with a broken precondition on table headers such
//   as "[[[a]]" or "[=" (upstream #301).
// Everything refused here is invalid TOML 1.0, except non-ASCII text right
// after a line-ending backslash in a multi-line basic string, and lines that
// start with '[' inside multi-line values (the header check is line-based).
// Drop this file when toml++ >= the release with #301 and #305 is the floor.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cordon::policy {

struct TomlGuardError {
  int line = 0;    // 1-based
  int column = 0;  // 1-based, in bytes
  std::string message;
};

[[nodiscard]] std::optional<TomlGuardError> ScreenToml(std::string_view text);

}  // namespace cordon::policy
