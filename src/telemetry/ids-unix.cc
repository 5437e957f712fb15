// ids.h's platform part on Linux: random bytes from the kernel's CSPRNG
// (getrandom(2)), SHA-256 from libsodium, which is linked into cordon
// statically (for the vault). It needs no sodium_init(), which `cordon run`
// never calls: that seeds randombytes and picks faster implementations of
// other primitives, and SHA-256 has only the portable one.
#include <sodium.h>
#include <sys/random.h>

#include <cerrno>

#include "telemetry/ids.h"

namespace cordon::telemetry {

Status RandomBytes(uint8_t* out, size_t size) {
  for (;;) {
    ssize_t got = getrandom(out, size, 0);
    if (got == static_cast<ssize_t>(size)) return {};
    if (got < 0 && errno != EINTR) return SysError("getrandom", "run id", errno);
  }
}

std::array<uint8_t, 32> Sha256(std::string_view data) {
  static_assert(crypto_hash_sha256_BYTES == 32);
  std::array<uint8_t, 32> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size());
  return digest;
}

}  // namespace cordon::telemetry
