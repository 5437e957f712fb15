// git_config: the parts of git's config files that decide which code git
// runs and which other files it reads, for git_surface.h.
//
// A tolerant reader of git's config syntax (checked against config.c of git
// 2.39.5 and 2.55): `[section]`, `[section "subsection"]`, the old
// `[section.subsection]`, `name = value` or a bare `name` (boolean true),
// quoted values with \" \\ \n \t \b escapes, `#` and `;` comments, and
// backslash-newline continuations. The bytes come from files a sandboxed
// command may have written, so nothing here fails or allocates without bound:
// a line git would reject is skipped, and the rest is still read.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cordon::policy::git_config {

struct Entry {
  // "section.name" or "section.subsection.name"; section and name lowercased
  // (git compares them case-insensitively), the subsection kept as written.
  std::string key;
  std::string value;  // empty for a bare name
};

// Every variable of `text`, in order. Reads at most kMaxEntries.
inline constexpr size_t kMaxEntries = 4096;
[[nodiscard]] std::vector<Entry> Parse(std::string_view text);

// What git does with a variable's value, for the variables that matter here.
enum class Use {
  kNone,
  kInclude,   // include.path, includeIf.<condition>.path: another config file
  kHooksDir,  // core.hooksPath: the directory hooks run from
  kCommand,   // a command line or program git runs (core.fsmonitor, aliases
              // starting with '!', filters, textconv, pagers, editors, ...)
};
[[nodiscard]] Use Classify(std::string_view key, std::string_view value);

// The words of a command line that name a file by path (they contain a '/'
// or start with '~'), in order, without quotes. Shell syntax is split on
// blanks, quotes and the operators ; | & < > ( ) ` $ =.
[[nodiscard]] std::vector<std::string> PathWords(std::string_view command);

}  // namespace cordon::policy::git_config
