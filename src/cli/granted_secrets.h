// The vault secrets a policy grants, as environment entries: what `run`
// adds to a command's environment after scrubbing, on both platforms
// (defined in cli/secret.cc).
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "policy/policy.h"

namespace cordon::cli {

// "ENV=VALUE" for each secret the policy grants, read from the vault; an
// error names a missing secret (never a value). Empty when none is granted.
[[nodiscard]] Result<std::vector<std::string>> GrantedSecretEnv(const policy::Policy& policy);

}  // namespace cordon::cli
