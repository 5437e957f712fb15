// `cordon session`: where a workspace's session listens, and the messages
// between its daemon and its clients (`cordon run --session`, `cordon
// session stop|status`).
//
// One SOCK_SEQPACKET connection per client, one message per packet. A run
// request carries the client's cordon version, cwd, `cordon run` options,
// environment and command, with its stdin, stdout and stderr as SCM_RIGHTS;
// the daemon resolves the policy those give and runs the command only when
// it is the session's (else the client runs a fresh sandbox). The socket
// lives in cordon's state directory, which every sandbox hides, in a 0700
// directory; the daemon also refuses peers of another user or user
// namespace.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"

namespace cordon::cli::session {

inline constexpr uint32_t kMagic = 0x4c435343;  // "CSCL"
// A message fits a socket's default send buffer (about 208 KiB).
inline constexpr size_t kMaxMessageBytes = size_t{192} * 1024;

enum class Op : uint32_t {
  kRun = 1,     // strings: version, cwd | options | environment | command; 3 fds
  kStop = 2,    // end the session (its running commands are killed)
  kStatus = 3,  // what it is: a kInfo reply
  kSignal = 4,  // after kAccepted: `arg` for the command (relayed signals)
  kKill = 5,    // after kAccepted: end the command; `arg` 1: its timeout
};

enum class ReplyKind : uint32_t {
  kAccepted = 1,   // the command is starting in the session
  kDifferent = 2,  // text: why not (its policy differs, ...): run a fresh sandbox
  kEnded = 3,      // status: `cordon run`'s exit status for it; text: notes for the user
  kInfo = 4,       // text: "key value" lines (kStatus)
  kStopped = 5,    // text: what was ended
};

struct Request {
  Op op = Op::kStatus;
  uint32_t arg = 0;
  std::string version;
  std::string cwd;
  std::vector<std::string> options;  // `cordon run`'s, before "--"
  std::vector<std::string> env;
  std::vector<std::string> argv;
};

struct Reply {
  ReplyKind kind = ReplyKind::kInfo;
  int32_t status = 0;
  std::string text;
};

// Empty when it does not fit kMaxMessageBytes or a string holds a NUL.
[[nodiscard]] std::string Encode(const Request& r);
[[nodiscard]] std::string Encode(const Reply& r);
[[nodiscard]] std::optional<Request> DecodeRequest(std::string_view bytes);
[[nodiscard]] std::optional<Reply> DecodeReply(std::string_view bytes);

// STATE/sessions, where the sockets are (0700).
[[nodiscard]] std::string SessionsDir(const std::string& state_dir);
// The socket of `workspace`'s session: SessionsDir/<hash of the path>.sock.
[[nodiscard]] std::string SocketPath(const std::string& state_dir, const std::string& workspace);

// A connected client socket; ENOENT or ECONNREFUSED (a stale socket) when
// no session listens there. Paths longer than sun_path go through
// /proc/self/fd.
[[nodiscard]] Result<UniqueFd> Connect(const std::string& path);
// A --workspace DIR as given, made absolute against `cwd` and resolved:
// where to look for its session.
[[nodiscard]] std::string WorkspaceDir(const std::string& dir, const std::string& cwd);

// The session of `dir` (absolute, normalized) or of its nearest ancestor
// that has one, connected; nullopt when none listens.
struct Found {
  UniqueFd fd;
  std::string workspace;
  std::string path;
};
[[nodiscard]] std::optional<Found> FindSession(const std::string& state_dir,
                                               const std::string& dir);
// A listening socket at `path` (0600).
[[nodiscard]] Result<UniqueFd> Listen(const std::string& path);

// One message of at most kMaxMessageBytes, with up to three fds.
[[nodiscard]] Status SendMessage(int fd, const std::string& bytes, const int* fds = nullptr,
                                 size_t nfds = 0);
// The next message; an empty string at the end of the connection. `fds`
// (room for 3) gets what came with it, when not null.
[[nodiscard]] Result<std::string> ReceiveMessage(int fd, std::vector<UniqueFd>* fds = nullptr,
                                                 size_t max_bytes = kMaxMessageBytes);

}  // namespace cordon::cli::session
