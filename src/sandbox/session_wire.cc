// Encoding with std::string (in `cordon mcp`), decoding in place (in init).
#include "sandbox/session_wire.h"

#include <cstring>

namespace cordon::sandbox::session {

std::string EncodeExec(uint64_t id, const std::string& cwd, const std::vector<std::string>& argv) {
  if (argv.empty() || argv.size() > kMaxArgs) return "";
  std::string strings;
  strings.append(cwd).push_back('\0');
  for (const std::string& a : argv) strings.append(a).push_back('\0');
  if (sizeof(RequestHeader) + strings.size() > kMaxRequestBytes) return "";
  size_t nuls = 0;
  for (char c : strings) nuls += c == '\0' ? 1 : 0;
  if (nuls != argv.size() + 1) return "";  // a string with a NUL inside
  RequestHeader h;
  h.op = static_cast<uint32_t>(Op::kExec);
  h.id = id;
  h.argc = static_cast<uint32_t>(argv.size());
  h.strings_len = static_cast<uint32_t>(strings.size());
  std::string out(reinterpret_cast<const char*>(&h), sizeof(h));
  return out + strings;
}

std::string EncodeKill(uint64_t id) {
  RequestHeader h;
  h.op = static_cast<uint32_t>(Op::kKill);
  h.id = id;
  return {reinterpret_cast<const char*>(&h), sizeof(h)};
}

bool Decode(char* data, size_t size, Request* out, char** argv, size_t max_args) {
  RequestHeader h;
  if (size < sizeof(h) || size > kMaxRequestBytes) return false;
  std::memcpy(&h, data, sizeof(h));
  if (h.magic != kMagic) return false;
  out->id = h.id;
  if (h.op == static_cast<uint32_t>(Op::kKill)) {
    out->op = Op::kKill;
    return size == sizeof(h) && h.argc == 0 && h.strings_len == 0;
  }
  if (h.op != static_cast<uint32_t>(Op::kExec)) return false;
  if (h.argc == 0 || h.argc > max_args || h.strings_len != size - sizeof(h)) return false;
  char* p = data + sizeof(h);
  char* end = data + size;
  // cwd, then argc strings, each NUL-terminated, filling the rest exactly.
  char* cwd = nullptr;
  size_t n = 0;
  for (char* s = p; s < end;) {
    char* nul = static_cast<char*>(std::memchr(s, '\0', static_cast<size_t>(end - s)));
    if (nul == nullptr) return false;
    if (n == 0) {
      cwd = s;
    } else if (n - 1 < h.argc) {
      argv[n - 1] = s;
    } else {
      return false;
    }
    ++n;
    s = nul + 1;
  }
  if (n != h.argc + 1 || cwd == nullptr || cwd[0] != '/') return false;
  argv[h.argc] = nullptr;
  out->op = Op::kExec;
  out->cwd = cwd;
  out->argc = h.argc;
  return true;
}

}  // namespace cordon::sandbox::session
