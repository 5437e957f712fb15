// BCryptGenRandom (see secure_random-win32.h).
#include "sandbox/windows/secure_random-win32.h"

#include <windows.h>
// (after windows.h, which it needs)
#include <bcrypt.h>

#include <string>

#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::secure_random {

Status Fill(void* out, size_t size) {
  auto* bytes = static_cast<unsigned char*>(out);
  // BCryptGenRandom takes a ULONG count: large requests go in pieces.
  while (size > 0) {
    const ULONG chunk = size > 0x10000000 ? 0x10000000 : static_cast<ULONG>(size);
    const NTSTATUS status = BCryptGenRandom(nullptr, bytes, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG);
    if (status < 0) {
      return WinError("BCryptGenRandom", std::to_string(chunk) + " bytes",
                      static_cast<DWORD>(status));
    }
    bytes += chunk;
    size -= chunk;
  }
  return {};
}

}  // namespace cordon::sandbox::secure_random
