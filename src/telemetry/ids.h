// Random run identifiers (OTLP trace and span ids) and the policy hash.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "telemetry/otlp_json.h"

namespace cordon::telemetry {

// A fresh trace id (16 bytes) and span id (8 bytes) from getrandom(2), as
// lowercase hex; never all zero (OTLP treats that as "no id").
[[nodiscard]] Result<RunIds> NewRunIds();

// SHA-256 of `data` as 64 lowercase hex digits (FIPS 180-4).
[[nodiscard]] std::string Sha256Hex(std::string_view data);

}  // namespace cordon::telemetry
