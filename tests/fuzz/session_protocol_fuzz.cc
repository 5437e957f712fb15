// Fuzzes the `cordon session` daemon's decoder of client requests and the
// client's of replies (the daemon's socket is reachable by any process of
// the user): no crash, and what decodes encodes back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "check.h"
#include "cli/session_protocol.h"

using cordon::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace s = cordon::cli::session;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  if (auto req = s::DecodeRequest(bytes)) Check(s::Encode(*req) == bytes);
  if (auto reply = s::DecodeReply(bytes)) Check(s::Encode(*reply) == bytes);
  return 0;
}
