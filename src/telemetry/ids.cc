// Run ids from the kernel's CSPRNG, and the policy hash: SHA-256 and hex
// from libsodium, which is linked into cordon statically (for the vault).
// Neither needs sodium_init(), which `cordon run` never calls: it seeds
// randombytes and picks faster implementations of other primitives, and
// SHA-256 has only the portable one.
#include "telemetry/ids.h"

#include <sodium.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdint>

namespace cordon::telemetry {
namespace {

std::string Hex(const uint8_t* p, size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), p, n);
  out.pop_back();  // the terminating NUL
  return out;
}

}  // namespace

Result<RunIds> NewRunIds() {
  std::array<uint8_t, 24> bytes{};
  for (;;) {
    ssize_t got = getrandom(bytes.data(), bytes.size(), 0);
    if (got == static_cast<ssize_t>(bytes.size())) break;
    if (got < 0 && errno != EINTR) return SysError("getrandom", "run id", errno);
  }
  // An all-zero id is invalid in OTLP; with 2^-128 odds, set one bit.
  bytes[15] |= 1;
  bytes[23] |= 1;
  return RunIds{Hex(bytes.data(), 16), Hex(bytes.data() + 16, 8)};
}

std::string Sha256Hex(std::string_view data) {
  std::array<uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size());
  return Hex(digest.data(), digest.size());
}

}  // namespace cordon::telemetry
