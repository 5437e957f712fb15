// Fuzzes init's decoder of session requests (the bytes come from `cordon
// mcp` or the `cordon session` daemon, but init must never crash on any): no crash, every string
// lies inside the buffer, and a decoded request encodes back to the same bytes.
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
  char* argv[kMaxArgs + 2];
  s::Request req;
  if (!s::Decode(buf.data(), buf.size(), &req, argv, kMaxArgs)) return 0;
  const char* begin = buf.data();
  const char* end = begin + buf.size();
  if (req.op == s::Op::kKill) {
    Check(original == s::EncodeKill(req.id));
    return 0;
  }
  if (req.op == s::Op::kSignal) {
    Check(original == s::EncodeSignal(req.id, req.signal));
    return 0;
  }
  Check(req.argc >= 1 && req.argc <= kMaxArgs && argv[req.argc] == nullptr);
  Check(req.cwd >= begin && req.cwd < end && req.cwd[0] == '/');
  std::vector<std::string> args;
  for (size_t i = 0; i < req.argc; ++i) {
    Check(argv[i] >= begin && argv[i] < end);
    args.emplace_back(argv[i]);
  }
  std::vector<std::string> env;
  if (req.envp != nullptr) {
    Check(req.envp == argv + req.argc + 1);
    for (char** e = req.envp; *e != nullptr; ++e) {
      Check(*e >= begin && *e < end);
      env.emplace_back(*e);
    }
    Check(args.size() + env.size() <= kMaxArgs);
  }
  Check(original == s::EncodeExec(req.id, req.cwd, args, env, req.flags));
  return 0;
}
