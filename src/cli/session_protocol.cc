// The session's messages: a fixed header, then NUL-terminated strings.
#include "cli/session_protocol.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "policy/paths.h"
#include "sandbox/linux/fd_passing.h"

namespace cordon::cli::session {

namespace {

struct Header {
  uint32_t magic = kMagic;
  uint32_t kind = 0;  // Op or ReplyKind
  int32_t arg = 0;    // Request::arg or Reply::status
  uint32_t counts[3] = {0, 0, 0};
  uint32_t strings_len = 0;
};

// Header + strings, or empty when a string holds a NUL or it is too big.
std::string Pack(Header h, const std::vector<const std::string*>& strings) {
  std::string body;
  for (const std::string* s : strings) {
    if (s->find('\0') != std::string::npos) return "";
    body.append(*s).push_back('\0');
  }
  if (sizeof(h) + body.size() > kMaxMessageBytes) return "";
  h.strings_len = static_cast<uint32_t>(body.size());
  return std::string(reinterpret_cast<const char*>(&h), sizeof(h)) + body;
}

// The strings after the header: exactly `n` of them, filling it.
std::optional<std::vector<std::string>> Unpack(std::string_view bytes, Header* h, size_t n) {
  if (bytes.size() < sizeof(*h) || bytes.size() > kMaxMessageBytes) return std::nullopt;
  std::memcpy(h, bytes.data(), sizeof(*h));
  if (h->magic != kMagic || h->strings_len != bytes.size() - sizeof(*h)) return std::nullopt;
  std::vector<std::string> out;
  std::string_view rest = bytes.substr(sizeof(*h));
  while (!rest.empty()) {
    size_t nul = rest.find('\0');
    if (nul == std::string_view::npos || out.size() == n) return std::nullopt;
    out.emplace_back(rest.substr(0, nul));
    rest.remove_prefix(nul + 1);
  }
  if (out.size() != n) return std::nullopt;
  return out;
}

// sockaddr_un for `path`; a path too long for it goes through the
// directory's fd (`dir`, which the caller keeps open until connect or bind).
Result<sockaddr_un> Address(const std::string& path, UniqueFd* dir) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string name = path;
  if (name.size() >= sizeof(addr.sun_path)) {
    const size_t slash = path.rfind('/');
    *dir = UniqueFd(open(path.substr(0, slash).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir->valid()) return SysError("open", path.substr(0, slash), errno);
    name = "/proc/self/fd/" + std::to_string(dir->get()) + path.substr(slash);
    if (name.size() >= sizeof(addr.sun_path)) {
      return PlainError("session", path, "the socket's name is too long");
    }
  }
  std::memcpy(addr.sun_path, name.c_str(), name.size() + 1);
  return addr;
}

uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

std::string Encode(const Request& r) {
  Header h;
  h.kind = static_cast<uint32_t>(r.op);
  h.arg = static_cast<int32_t>(r.arg);
  h.counts[0] = static_cast<uint32_t>(r.options.size());
  h.counts[1] = static_cast<uint32_t>(r.env.size());
  h.counts[2] = static_cast<uint32_t>(r.argv.size());
  std::vector<const std::string*> strings = {&r.version, &r.cwd};
  for (const auto* list : {&r.options, &r.env, &r.argv}) {
    for (const std::string& s : *list) strings.push_back(&s);
  }
  return Pack(h, strings);
}

std::string Encode(const Reply& r) {
  Header h;
  h.kind = static_cast<uint32_t>(r.kind);
  h.arg = r.status;
  return Pack(h, {&r.text});
}

std::optional<Request> DecodeRequest(std::string_view bytes) {
  Header h;
  if (bytes.size() < sizeof(h)) return std::nullopt;
  std::memcpy(&h, bytes.data(), sizeof(h));
  if (h.kind < static_cast<uint32_t>(Op::kRun) || h.kind > static_cast<uint32_t>(Op::kKill)) {
    return std::nullopt;
  }
  // Bounded by the message size: each string takes at least its NUL.
  const uint64_t n = uint64_t{2} + h.counts[0] + h.counts[1] + h.counts[2];
  if (n > bytes.size()) return std::nullopt;
  auto strings = Unpack(bytes, &h, static_cast<size_t>(n));
  if (!strings) return std::nullopt;
  Request r;
  r.op = static_cast<Op>(h.kind);
  r.arg = static_cast<uint32_t>(h.arg);
  auto it = strings->begin();
  r.version = std::move(*it++);
  r.cwd = std::move(*it++);
  for (auto [list, count] : {std::pair{&r.options, h.counts[0]}, std::pair{&r.env, h.counts[1]},
                             std::pair{&r.argv, h.counts[2]}}) {
    list->assign(std::make_move_iterator(it), std::make_move_iterator(it + count));
    it += count;
  }
  return r;
}

std::optional<Reply> DecodeReply(std::string_view bytes) {
  Header h;
  auto strings = Unpack(bytes, &h, 1);
  if (!strings || h.kind < static_cast<uint32_t>(ReplyKind::kAccepted) ||
      h.kind > static_cast<uint32_t>(ReplyKind::kStopped) || h.counts[0] != 0 || h.counts[1] != 0 ||
      h.counts[2] != 0) {
    return std::nullopt;
  }
  return Reply{static_cast<ReplyKind>(h.kind), h.arg, std::move(strings->front())};
}

std::string SessionsDir(const std::string& state_dir) { return state_dir + "/sessions"; }

std::string SocketPath(const std::string& state_dir, const std::string& workspace) {
  char name[32];
  std::snprintf(name, sizeof(name), "%016llx.sock",
                static_cast<unsigned long long>(Fnv1a(workspace)));
  return SessionsDir(state_dir) + "/" + name;
}

Result<UniqueFd> Connect(const std::string& path) {
  UniqueFd dir;
  auto addr = Address(path, &dir);
  if (!addr.ok()) return addr.error();
  UniqueFd fd(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return SysError("socket(AF_UNIX)", path, errno);
  if (connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr.value()), sizeof(sockaddr_un)) !=
      0) {
    return SysError("connect", path, errno);
  }
  return fd;
}

std::string WorkspaceDir(const std::string& dir, const std::string& cwd) {
  const std::string ws = !dir.empty() && dir.front() == '/' ? dir : cwd + "/" + dir;
  char real[PATH_MAX];
  return realpath(ws.c_str(), real) != nullptr ? std::string(real) : policy::NormalizePath(ws);
}

std::optional<Found> FindSession(const std::string& state_dir, const std::string& dir) {
  for (std::string d = dir; !d.empty();) {
    std::string path = SocketPath(state_dir, d);
    if (auto fd = Connect(path); fd.ok()) return Found{std::move(fd).value(), d, path};
    if (d == "/") break;
    const size_t slash = d.rfind('/');
    d = slash == 0 ? "/" : d.substr(0, slash);
  }
  return std::nullopt;
}

Result<UniqueFd> Listen(const std::string& path) {
  UniqueFd dir;
  auto addr = Address(path, &dir);
  if (!addr.ok()) return addr.error();
  UniqueFd fd(socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return SysError("socket(AF_UNIX)", path, errno);
  // Not reachable by anyone else while it is being made.
  const mode_t old = umask(0177);
  const int bound =
      bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr.value()), sizeof(sockaddr_un));
  const int err = errno;
  umask(old);
  if (bound != 0) return SysError("bind", path, err);
  if (listen(fd.get(), 64) != 0) return SysError("listen", path, errno);
  return fd;
}

Status SendMessage(int fd, const std::string& bytes, const int* fds, size_t nfds) {
  if (bytes.empty()) return PlainError("session", "", "a message too large to send");
  if (sandbox::SendWithFds(fd, bytes.data(), bytes.size(), fds, nfds) < 0) {
    return SysError("sendmsg", "session socket", errno);
  }
  return {};
}

Result<std::string> ReceiveMessage(int fd, std::vector<UniqueFd>* fds, size_t max_bytes) {
  // Not zeroed: only what arrives is touched.
  auto buf = std::make_unique_for_overwrite<char[]>(max_bytes + 1);
  int got_fds[3] = {-1, -1, -1};
  size_t nfds = 0;
  bool truncated = false;
  const ssize_t n = sandbox::RecvWithFds(fd, buf.get(), max_bytes + 1, got_fds,
                                         fds != nullptr ? 3 : 0, &nfds, &truncated);
  if (n < 0) return SysError("recvmsg", "session socket", errno);
  for (size_t i = 0; i < nfds; ++i) {
    UniqueFd owned(got_fds[i]);
    if (fds != nullptr) fds->push_back(std::move(owned));
  }
  if (truncated || static_cast<size_t>(n) > max_bytes) {
    return PlainError("session", "", "a message too large, or too many fds");
  }
  return std::string(buf.get(), static_cast<size_t>(n));
}

}  // namespace cordon::cli::session
