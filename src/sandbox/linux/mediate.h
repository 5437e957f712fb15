// mediate: the namespace-less tier's seccomp user-notification handler for
// the calls Landlock cannot decide by itself, run in the supervisor (which
// is not Landlocked) and never answering CONTINUE after a check (the
// caller's memory may change after it): it performs each call itself on
// what it read once and answers with the result.
//
// - Metadata (chmod, fchmod, fchmodat, fchmodat2, utimensat, utimes, utime,
//   futimesat): the path is read once from /proc/PID/mem, made absolute
//   against /proc/PID/cwd or /proc/PID/fd/N, matched to the writable root
//   that contains it, and opened with openat2(RESOLVE_BENEATH |
//   RESOLVE_NO_MAGICLINKS) beneath an O_PATH fd of that root (a symlink
//   cannot lead out); the change is applied to that opened file. By fd: the
//   file is taken with pidfd_getfd and allowed only when the same inode is
//   found again beneath a writable root. Only files the sandbox's user owns
//   (the supervisor may be root with capabilities the sandbox dropped);
//   setuid bits, and setgid on anything but a directory, are refused.
// - Network (bind, connect) for TCP sockets: bind is done on the socket
//   (pidfd_getfd) to a loopback address (0.0.0.0 becomes 127.0.0.1, ::
//   becomes ::1: nothing the sandbox binds listens on the LAN), and the
//   address actually bound is recorded; connect is done only to an address
//   the sandbox bound, the proxy's port on loopback, or an allow_local
//   service; anything else is ECONNREFUSED. Other families are answered
//   CONTINUE: no check was made, the kernel and Landlock decide alone.
#pragma once

#include <linux/seccomp.h>
#include <netinet/in.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "policy/net_rules.h"
#include "sandbox/backend.h"
#include "sandbox/linux/child_status.h"

namespace cordon::sandbox::mediate {

// What the plan lets the handler do (plain data, in the Plan).
struct Config {
  bool metadata = false;           // chmod and utimes family
  bool inet = false;               // bind and connect
  std::vector<std::string> roots;  // writable directories (absolute)
  policy::NetRules allow_local;    // only allow_local is used
  uint16_t proxy_port = 0;         // --net proxy: the proxy's port on 127.0.0.1, or 0
};

// A socket address the sandbox bound, in comparable form (IPv4-mapped IPv6
// as IPv4).
struct Endpoint {
  int family = 0;
  uint8_t addr[16] = {};
  uint16_t port = 0;
  bool operator==(const Endpoint&) const = default;
};

// Pure helpers, exposed for tests.
// The address to bind instead of `in` (wildcards become loopback); false
// when it is neither loopback nor a wildcard.
[[nodiscard]] bool LoopbackBindAddress(const sockaddr_storage& in, socklen_t len,
                                       sockaddr_storage* out);
[[nodiscard]] bool ToEndpoint(const sockaddr_storage& in, socklen_t len, Endpoint* out);

class Mediator {
 public:
  // Opens every root O_PATH (in the supervisor, before clone); a root that
  // cannot be opened is left out (nothing beneath it is mediated).
  // `report`: told of each connect to an allow_local service and each
  // refused one (may be empty).
  explicit Mediator(Config config, std::function<void(const DirectConnect&)> report = {});

  // True for the calls this handler answers.
  [[nodiscard]] bool Handles(long nr) const;
  // Performs the call of `req` (if allowed) and answers it on `listener`.
  void Handle(int listener, const seccomp_notif& req);

 private:
  struct Root {
    std::string path;
    UniqueFd fd;
  };
  // The negative errno to answer, or 0 after a successful call.
  int Chmod(const seccomp_notif& req, int mem, int listener);
  int Utimes(const seccomp_notif& req, int mem, int listener);
  int Bind(const seccomp_notif& req, int mem, int listener, bool* cont);
  int Connect(const seccomp_notif& req, int mem, int listener, bool* cont);
  // Opens the caller's path (O_PATH) beneath the writable root containing
  // it; -errno when outside every root or escaping it.
  int OpenBeneath(const seccomp_notif& req, int mem, int dirfd_arg, uint64_t addr, bool follow,
                  UniqueFd* out);
  // The caller's fd, if its file is beneath a writable root.
  int TakeFileFd(const seccomp_notif& req, int fd, UniqueFd* out);
  // A bind's or connect's socket and address, read once: -errno, or 0 with
  // *cont set when the socket is not TCP (nothing to mediate: Landlock and
  // the kernel decide).
  int TakeSocketCall(const seccomp_notif& req, int mem, int listener, UniqueFd* sock,
                     sockaddr_storage* addr, socklen_t* len, bool* cont);

  Config config_;
  std::function<void(const DirectConnect&)> report_;
  std::vector<Root> roots_;
  int unprivileged_port_start_ = 1024;
  std::mutex mu_;
  std::vector<Endpoint> bound_;
};

// Child side (allocation-free): sends the notification listener over
// `channel` (SCM_RIGHTS); a listener of -1 sends nothing. Closes both.
[[nodiscard]] ChildStatus SendListener(int channel, int listener);

// Supervisor side: the listener, or an invalid fd when the child sent none
// (it ended first, or installed its filter without a listener).
[[nodiscard]] UniqueFd ReceiveListener(int channel);

}  // namespace cordon::sandbox::mediate
