// Run ids and the policy hash (see ids.h): what is the same on every
// platform, over the platform's random bytes and digest.
#include "telemetry/ids.h"

namespace cordon::telemetry {
namespace {

std::string Hex(const uint8_t* p, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kDigits[p[i] >> 4]);
    out.push_back(kDigits[p[i] & 0xf]);
  }
  return out;
}

}  // namespace

Result<RunIds> NewRunIds() {
  std::array<uint8_t, 24> bytes{};
  CORDON_RETURN_IF_ERROR(RandomBytes(bytes.data(), bytes.size()));
  // An all-zero id is invalid in OTLP; with 2^-128 odds, set one bit.
  bytes[15] |= 1;
  bytes[23] |= 1;
  return RunIds{Hex(bytes.data(), 16), Hex(bytes.data() + 16, 8)};
}

std::string Sha256Hex(std::string_view data) {
  const std::array<uint8_t, 32> digest = Sha256(data);
  return Hex(digest.data(), digest.size());
}

}  // namespace cordon::telemetry
