// JSON string literals written straight into a string: the bytes
// nlohmann::json's dump(-1, ' ', false, replace) writes for a string
// (the same escapes: \" \\ \b \f \n \r \t, \u00xx in lowercase hex for the
// other control characters, everything else raw), without building a json
// value and writing it one virtual call per character. The events of every
// run and the hashed policy are written this way (issue 16: start-up cost).
#pragma once

#include <string>
#include <string_view>

namespace cordon {

// Appends `s` as a JSON string literal, quotes included, and returns true;
// when `s` is not valid UTF-8, appends nothing and returns false (the caller
// lets nlohmann::json replace the invalid bytes, as it always did).
[[nodiscard]] bool AppendJsonString(std::string* out, std::string_view s);

}  // namespace cordon
