// Secrets on Windows come from the system's cryptographic RNG (CNG), never
// from a seeded generator (Codex made its sandbox users' passwords with a
// non-cryptographic one).
#pragma once

#include <cstddef>

#include "common/result.h"

namespace cordon::sandbox::secure_random {

// Fills `size` bytes at `out` from BCryptGenRandom with the system-preferred
// RNG. Fails rather than return anything weaker.
[[nodiscard]] Status Fill(void* out, size_t size);

}  // namespace cordon::sandbox::secure_random
