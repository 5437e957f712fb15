// ids.h's platform part on Windows: random bytes from the system's
// preferred RNG (BCryptGenRandom), SHA-256 from the backend's portable
// implementation (sandbox/windows/sha256.h: libsodium has no mingw package).
#include <windows.h>
// (after windows.h, which it needs)
#include <bcrypt.h>

#include <cstdio>

#include "sandbox/windows/sha256.h"
#include "telemetry/ids.h"

namespace cordon::telemetry {

Status RandomBytes(uint8_t* out, size_t size) {
  const NTSTATUS status =
      BCryptGenRandom(nullptr, out, static_cast<ULONG>(size), BCRYPT_USE_SYSTEM_PREFERRED_RNG);
  if (!BCRYPT_SUCCESS(status)) {
    char text[32];
    std::snprintf(text, sizeof text, "NTSTATUS 0x%08lx", static_cast<unsigned long>(status));
    return PlainError("BCryptGenRandom", "run id", text);
  }
  return {};
}

std::array<uint8_t, 32> Sha256(std::string_view data) { return sandbox::windows::Sha256(data); }

}  // namespace cordon::telemetry
