#include "sandbox/linux/proxy_listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sandbox/linux/fd_passing.h"

namespace cordon::sandbox::proxy_listener {
namespace {

// One byte with room for one SCM_RIGHTS descriptor; no allocation (the
// child uses it too).
struct OneFdMessage {
  char data = 0;
  iovec iov{&data, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  OneFdMessage() {
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
  }
  OneFdMessage(const OneFdMessage&) = delete;
  OneFdMessage& operator=(const OneFdMessage&) = delete;
};

}  // namespace

// Needs CAP_NET_ADMIN in the namespace. The kernel gives `lo` its ::1 when
// it comes up (if IPv6 is enabled), as it gives 127.0.0.1.
ChildStatus BringUpLoopback() {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return ChildStatus::Errno("socket(AF_INET, SOCK_DGRAM)", "lo");
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, "lo", 3);
  ChildStatus st;
  if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
    st = ChildStatus::Errno("ioctl(SIOCGIFFLAGS)", "lo");
  } else {
    ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
    if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) st = ChildStatus::Errno("ioctl(SIOCSIFFLAGS)", "lo");
  }
  close(s);
  return st;
}

ChildStatus Send(int channel, const sockaddr_storage& addr, socklen_t len, const char* what) {
  int s = socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0) return ChildStatus::Errno("socket(SOCK_STREAM)", what);
  ChildStatus st;
  const int one = 1;
  // An IPv6 relay must not also take the IPv4 port of the same number.
  if (addr.ss_family == AF_INET6 &&
      setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) {
    st = ChildStatus::Errno("setsockopt(IPV6_V6ONLY)", what);
  } else if (bind(s, reinterpret_cast<const sockaddr*>(&addr), len) != 0) {
    st = ChildStatus::Errno("bind", what);
  } else if (listen(s, SOMAXCONN) != 0) {
    st = ChildStatus::Errno("listen", what);
  } else {
    const char data = 'L';
    if (SendWithFds(channel, &data, 1, &s, 1) != 1) {
      st = ChildStatus::Errno("sendmsg(SCM_RIGHTS)", what);
    }
  }
  close(s);
  return st;
}

sockaddr_storage ProxyAddress(socklen_t* len) {
  sockaddr_storage ss{};
  auto* addr = reinterpret_cast<sockaddr_in*>(&ss);
  addr->sin_family = AF_INET;
  addr->sin_port = htons(kPort);
  addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  *len = sizeof *addr;
  return ss;
}

Result<UniqueFd> CreateOnHost(uint16_t* port) {
  UniqueFd s(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s.valid()) return SysError("socket(AF_INET, SOCK_STREAM)", "proxy listener", errno);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(s.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0) {
    return SysError("bind", "127.0.0.1:0 (proxy listener)", errno);
  }
  if (listen(s.get(), SOMAXCONN) != 0) return SysError("listen", "proxy listener", errno);
  if (getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return SysError("getsockname", "proxy listener", errno);
  }
  *port = ntohs(addr.sin_port);
  return s;
}

Result<UniqueFd> Receive(int channel, const std::string& what) {
  OneFdMessage m;
  msghdr& msg = m.msg;
  ssize_t n;
  do {
    n = recvmsg(channel, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return SysError("recvmsg(SCM_RIGHTS)", what, errno);
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (n != 1 || c == nullptr || c->cmsg_type != SCM_RIGHTS) {
    return PlainError("recvmsg(SCM_RIGHTS)", what,
                      "the sandbox ended before handing over this listening socket");
  }
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return UniqueFd(fd);
}

}  // namespace cordon::sandbox::proxy_listener
