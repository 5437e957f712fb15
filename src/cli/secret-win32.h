// `cordon.exe secret set|get|list|rm`: the arguments parsed as the Linux
// command line parses them (cli/maintenance_flags.cc), then the shared
// command (cli/secret.cc), with its messages and exit statuses.
#pragma once

#include <string>
#include <vector>

namespace cordon::cli {

// `args` are what follows "secret". Returns the exit status: 125 for a
// usage error (as on Linux), else what the command returns.
[[nodiscard]] int SecretOnWindows(const std::vector<std::string>& args);

}  // namespace cordon::cli
