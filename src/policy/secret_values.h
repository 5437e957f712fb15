// Credentials recognized by the shape of a value, whatever its name.
//
// Name patterns (*_TOKEN, *SECRET* ...) miss DB_URL=postgres://u:pw@h/db or a
// GitHub token in a variable called CI_AUTH. SecretValueShape looks at the
// value itself: URL userinfo with a password, the token formats that their
// issuers made recognizable on purpose (fixed prefixes, fixed lengths),
// JWTs, HTTP Authorization credentials and PEM private keys. A token is found
// anywhere in the value (inside a URL, after "Bearer "), but only where a
// token can start (at the beginning or after a character that cannot be part
// of it) and only when its body has the issuer's charset and length, so that
// PATH, LS_COLORS, a git sha, a uuid or a base64 blob are left alone.
//
// Pure and allocation-free; the value is hostile input (it comes from the
// environment cordon was started in) and is fuzzed
// (tests/fuzz/secret_values_fuzz.cc).
#pragma once

#include <optional>
#include <string_view>

namespace cordon::policy {

// The kind of credential `value` carries ("URL with a password", "GitHub
// token", "JWT", ...; a static string), or nullopt when it looks like none.
// Never returns or copies any part of the value.
[[nodiscard]] std::optional<std::string_view> SecretValueShape(std::string_view value);

}  // namespace cordon::policy
