// Fuzzes init's decoder of session requests (the bytes come from `cordon
// mcp`, but init must never crash on any): no crash, every string lies
// inside the buffer, and a decoded request encodes back to the same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "sandbox/session_wire.h"

using cordon::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace s = cordon::sandbox::session;
  std::string buf(reinterpret_cast<const char*>(data), size);
  const std::string original = buf;
  constexpr size_t kMaxArgs = 64;
  char* argv[kMaxArgs + 1];
  s::Request req;
  if (!s::Decode(buf.data(), buf.size(), &req, argv, kMaxArgs)) return 0;
  const char* begin = buf.data();
  const char* end = begin + buf.size();
  if (req.op == s::Op::kKill) {
    Check(original == s::EncodeKill(req.id));
    return 0;
  }
  Check(req.argc >= 1 && req.argc <= kMaxArgs && argv[req.argc] == nullptr);
  Check(req.cwd >= begin && req.cwd < end && req.cwd[0] == '/');
  std::vector<std::string> args;
  for (size_t i = 0; i < req.argc; ++i) {
    Check(argv[i] >= begin && argv[i] < end);
    args.emplace_back(argv[i]);
  }
  Check(original == s::EncodeExec(req.id, req.cwd, args));
  return 0;
}
