// Facts of cordon's own token that setup needs: who the user is (the SID
// setup grants read access to cordon's WFP objects, wfp_plan.h
// ObjectSecurity) and whether the process is elevated (the steps that need
// an administrator are refused by name when it is not).
#pragma once

#include <string>

#include "common/result.h"

namespace cordon::sandbox::windows {

// The user SID of this process's token ("S-1-5-21-..."). Elevation by UAC
// keeps the user; an administrator who elevates with another account
// ("over the shoulder") gets that account's SID.
[[nodiscard]] Result<std::string> CurrentUserSid();

// True when this process's token is elevated (TokenElevation). An Error
// when the token cannot be read.
[[nodiscard]] Result<bool> IsElevated();

}  // namespace cordon::sandbox::windows
