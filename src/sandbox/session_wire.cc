// Encoding with std::string (in the session's client), decoding in place
// (in init).
#include "sandbox/session_wire.h"

#include <csignal>
#include <cstring>

namespace cordon::sandbox::session {

namespace {

std::string Header(const RequestHeader& h) {
  return {reinterpret_cast<const char*>(&h), sizeof(h)};
}

}  // namespace

std::string EncodeExec(uint64_t id, const std::string& cwd, const std::vector<std::string>& argv,
                       const std::vector<std::string>& env, uint32_t flags) {
  const bool own_env = (flags & kOwnEnvironment) != 0;
  if ((flags & ~(kOwnEnvironment | kSessionVariables)) != 0) return "";
  if (!own_env && !env.empty()) return "";
  if (argv.empty() || argv.size() + env.size() > kMaxArgs) return "";
  std::string strings;
  strings.append(cwd).push_back('\0');
  for (const std::string& a : argv) strings.append(a).push_back('\0');
  for (const std::string& e : env) strings.append(e).push_back('\0');
  if (sizeof(RequestHeader) + strings.size() > kMaxRequestBytes) return "";
  size_t nuls = 0;
  for (char c : strings) nuls += c == '\0' ? 1 : 0;
  if (nuls != argv.size() + env.size() + 1) return "";  // a string with a NUL inside
  RequestHeader h;
  h.op = static_cast<uint32_t>(Op::kExec);
  h.id = id;
  h.argc = static_cast<uint32_t>(argv.size());
  h.envc = static_cast<uint32_t>(env.size());
  h.strings_len = static_cast<uint32_t>(strings.size());
  h.arg = flags;
  return Header(h) + strings;
}

std::string EncodeKill(uint64_t id) {
  RequestHeader h;
  h.op = static_cast<uint32_t>(Op::kKill);
  h.id = id;
  return Header(h);
}

std::string EncodeSignal(uint64_t id, int signal) {
  RequestHeader h;
  h.op = static_cast<uint32_t>(Op::kSignal);
  h.id = id;
  h.arg = static_cast<uint32_t>(signal);
  return Header(h);
}

bool Decode(char* data, size_t size, Request* out, char** argv, size_t max_args) {
  RequestHeader h;
  if (size < sizeof(h) || size > kMaxRequestBytes) return false;
  std::memcpy(&h, data, sizeof(h));
  if (h.magic != kMagic) return false;
  out->id = h.id;
  if (h.op == static_cast<uint32_t>(Op::kKill) || h.op == static_cast<uint32_t>(Op::kSignal)) {
    const bool kill = h.op == static_cast<uint32_t>(Op::kKill);
    out->op = kill ? Op::kKill : Op::kSignal;
    out->signal = static_cast<int>(h.arg);
    if (!kill && (h.arg == 0 || h.arg >= static_cast<uint32_t>(SIGRTMIN))) return false;
    return size == sizeof(h) && h.argc == 0 && h.envc == 0 && h.strings_len == 0 &&
           (!kill || h.arg == 0);
  }
  if (h.op != static_cast<uint32_t>(Op::kExec)) return false;
  if ((h.arg & ~(kOwnEnvironment | kSessionVariables)) != 0) return false;
  if ((h.arg & kOwnEnvironment) == 0 && h.envc != 0) return false;
  if (h.argc == 0 || h.argc > max_args || h.envc > max_args - h.argc ||
      h.strings_len != size - sizeof(h)) {
    return false;
  }
  char* p = data + sizeof(h);
  char* end = data + size;
  // cwd, then argc strings, then envc, each NUL-terminated, filling the
  // rest exactly. argv[argc] and envp[envc] are the terminating nulls.
  char** envp = argv + h.argc + 1;
  char* cwd = nullptr;
  size_t n = 0;
  for (char* s = p; s < end;) {
    char* nul = static_cast<char*>(std::memchr(s, '\0', static_cast<size_t>(end - s)));
    if (nul == nullptr) return false;
    if (n == 0) {
      cwd = s;
    } else if (n - 1 < h.argc) {
      argv[n - 1] = s;
    } else if (n - 1 - h.argc < h.envc) {
      envp[n - 1 - h.argc] = s;
    } else {
      return false;
    }
    ++n;
    s = nul + 1;
  }
  if (n != size_t{h.argc} + h.envc + 1 || cwd == nullptr || cwd[0] != '/') return false;
  argv[h.argc] = nullptr;
  envp[h.envc] = nullptr;
  out->op = Op::kExec;
  out->cwd = cwd;
  out->argc = h.argc;
  out->flags = h.arg;
  out->envp = (h.arg & kOwnEnvironment) != 0 ? envp : nullptr;
  return true;
}

}  // namespace cordon::sandbox::session
