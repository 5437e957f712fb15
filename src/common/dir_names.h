// The names in a directory listing, without "." and "..".
#pragma once

#include <dirent.h>

#include <string>
#include <vector>

namespace cordon {

// Reads every entry of `d` and closes it.
[[nodiscard]] std::vector<std::string> TakeNames(DIR* d);

}  // namespace cordon
