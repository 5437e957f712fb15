// The session sandbox's wire format (`cordon mcp --session-sandbox`,
// `cordon session`): the messages between the session's client (`cordon
// mcp`, the `cordon session` daemon) and the sandbox's init over a
// SOCK_SEQPACKET socket, one message per packet. The client asks init to
// start a command (its stdin, stdout and stderr ride along as SCM_RIGHTS,
// its environment optionally in the message), to kill one, or to pass it a
// signal.
// The call's reaper (session_init.h) says when the command started (its
// pid reaches `cordon mcp` as SCM_CREDENTIALS, in cordon mcp's pid
// namespace) and answers with the command's wait status once it and what
// it left behind are gone.
//
// Init must not allocate (it was cloned from a threaded supervisor), so
// decoding works in place on the received bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cordon::sandbox::session {

inline constexpr uint32_t kMagic = 0x53445343;  // "CSDS"
inline constexpr size_t kMaxRequestBytes = size_t{128} * 1024;
inline constexpr size_t kMaxArgs = 8192;  // argv and environment entries together
inline constexpr int kFdsPerExec = 3;     // stdin, stdout, stderr

enum class Op : uint32_t { kExec = 1, kKill = 2, kSignal = 3 };

// kExec flags.
inline constexpr uint32_t kOwnEnvironment = 1;  // the command gets the message's environment
// ... where the session's own TMPDIR and proxy variables replace those of
// the same names: only the sandbox knows them (the namespace-less tier's
// private TMPDIR and proxy port are its own).
inline constexpr uint32_t kSessionVariables = 2;

struct RequestHeader {
  uint32_t magic = kMagic;
  uint32_t op = 0;
  uint64_t id = 0;
  uint32_t argc = 0;         // kExec
  uint32_t envc = 0;         // kExec with kOwnEnvironment
  uint32_t strings_len = 0;  // kExec: bytes after the header: cwd\0argv0\0...env0\0...
  uint32_t arg = 0;          // kExec: flags; kSignal: the signal number
};

enum class ReplyKind : uint32_t {
  kEnded = 0,    // wait_status is the command's; nothing of the call is left
  kStarted = 1,  // sent by the call's reaper, whose pid is the credentials'
};

struct Reply {
  uint64_t id = 0;
  int32_t wait_status = 0;  // kEnded: as from waitpid
  uint32_t kind = 0;        // ReplyKind
};

// kExec: cwd, then argv (non-empty), then with kOwnEnvironment in `flags`
// the command's environment ("NAME=VALUE" each); bytes to send with the
// three fds. Empty when it would not fit kMaxRequestBytes or kMaxArgs, or a
// string holds a NUL byte.
[[nodiscard]] std::string EncodeExec(uint64_t id, const std::string& cwd,
                                     const std::vector<std::string>& argv,
                                     const std::vector<std::string>& env = {}, uint32_t flags = 0);
[[nodiscard]] std::string EncodeKill(uint64_t id);
// The signal goes to the call's command (its process group), which may
// handle it; kKill ends the call whatever it does.
[[nodiscard]] std::string EncodeSignal(uint64_t id, int signal);

struct Request {
  Op op = Op::kExec;
  uint64_t id = 0;
  const char* cwd = nullptr;  // kExec, points into the buffer
  size_t argc = 0;            // kExec: argv[0..argc) set, argv[argc] = nullptr
  uint32_t flags = 0;         // kExec
  char** envp = nullptr;      // kExec with kOwnEnvironment: argv + argc + 1, null-terminated
  int signal = 0;             // kSignal
};

// Decodes one message in place (`data` must stay alive, strings point into
// it); `argv` has room for max_args + 2 pointers (argv, a null, the
// environment, a null). False for anything but a well-formed message.
[[nodiscard]] bool Decode(char* data, size_t size, Request* out, char** argv, size_t max_args);

}  // namespace cordon::sandbox::session
