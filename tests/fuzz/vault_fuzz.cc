// Fuzzes the vault file readers on arbitrary bytes: the envelope, the
// records, and unsealing with a fixed key. Each must return a value or an
// Error, never crash or hang; records that parse must survive a round trip.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "vault/crypto.h"
#include "vault/format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cordon::vault;
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto envelope = ParseEnvelope(bytes, "/fuzz/secrets");
  if (envelope.ok() && SerializeEnvelope(envelope.value()) != bytes) std::abort();
  auto records = ParseRecords(bytes, "/fuzz/secrets");
  if (records.ok()) {
    auto again = ParseRecords(SerializeRecords(records.value()), "/fuzz/secrets");
    if (!again.ok() || again.value() != records.value()) std::abort();
  } else {
    (void)records.error().Describe();
  }
  static const Key* key = [] {
    auto k = DeriveKey(std::string(kKeyFileBytes, 'k'), Identity{"fuzz", 0});
    return k.ok() ? new Key(std::move(k).value()) : nullptr;
  }();
  if (key != nullptr) {
    auto plain = Unseal(*key, bytes, "/fuzz/secrets");
    if (plain.ok()) std::abort();  // forging a tag by chance: never
  }
  return 0;
}
