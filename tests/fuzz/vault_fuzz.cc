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
  for (const EnvelopeFormat* format : {&kUnixFormat, &kWin32Format}) {
    auto envelope = ParseEnvelope(bytes, *format, "/fuzz/secrets");
    if (envelope.ok() && SerializeEnvelope(envelope.value(), *format) != bytes) std::abort();
  }
  auto records = ParseRecords(bytes, "/fuzz/secrets");
  if (records.ok()) {
    auto again = ParseRecords(SerializeRecords(records.value()), "/fuzz/secrets");
    if (!again.ok() || again.value() != records.value()) std::abort();
  } else {
    (void)records.error().Describe();
  }
  static const Key* key = [] {
    auto k = KeyFromFile(std::string(MaxKeyFileBytes(), 'k'), Identity{"fuzz", "0"}, "/fuzz/key");
    return k.ok() ? new Key(std::move(k).value()) : nullptr;
  }();
  if (key != nullptr) {
    auto plain = Unseal(*key, bytes, "/fuzz/secrets");
    if (plain.ok()) std::abort();  // forging a tag by chance: never
  }
  return 0;
}
