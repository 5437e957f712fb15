// "Always" answers are saved in the user's config file as a `[network]
// allow` entry with a comment saying when and why, so they stay readable
// and editable. The file is edited as text (the user's comments, order and
// layout survive), the result is parsed again before it is written, and it
// is written atomically (temp file, fsync, rename).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace cordon::approval {

// Returns `text` with `rule` appended to `[network] allow`, preceded by a
// `# comment` line: the array is extended in place when it exists (a
// one-line array becomes a multi-line one), else `allow` is added under
// `[network]`, else a `[network]` table is appended. Refuses (error) input
// that is not valid cordon config, a `network` written as a dotted key or
// inline table, and a result that would not parse back with the rule in it.
// Pure.
[[nodiscard]] Result<std::string> AddNetworkAllow(std::string_view text, std::string_view rule,
                                                  std::string_view comment);

// Reads `path` (missing: empty, and its directory is created 0700),
// applies AddNetworkAllow and replaces the file atomically, keeping its
// permission bits (0600 for a new file). A symlinked file is edited where
// it points.
[[nodiscard]] Status PersistNetworkAllow(const std::string& path, std::string_view rule,
                                         std::string_view comment);

}  // namespace cordon::approval
