// The /proc/net/tcp form of the proxy's connection ends (socket_owner.h),
// and a real loopback connection found in /proc and in this process's fds.
#include "mcp/socket_owner.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "common/unique_fd.h"

namespace cordon::mcp {
namespace {

TEST(SocketOwner, ProcNetAddressIsTheKernelsHexForm) {
  EXPECT_EQ(ProcNetAddress("127.0.0.1:40000", false), "0100007F:9C40");
  EXPECT_EQ(ProcNetAddress("127.0.0.1:80", true), "0000000000000000FFFF00000100007F:0050");
  EXPECT_EQ(ProcNetAddress("[::1]:3128", true), "00000000000000000000000001000000:0C38");
  EXPECT_FALSE(ProcNetAddress("[::1]:3128", false));
  EXPECT_FALSE(ProcNetAddress("localhost:80", false));
  EXPECT_FALSE(ProcNetAddress("127.0.0.1:65536", false));
  EXPECT_FALSE(ProcNetAddress("127.0.0.1:", false));
  EXPECT_FALSE(ProcNetAddress("127.0.0.1", false));
  EXPECT_FALSE(ProcNetAddress("[127.0.0.1]:80", true));
}

std::string End(int fd, bool peer) {
  sockaddr_in a{};
  socklen_t len = sizeof(a);
  if (peer) {
    getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len);
  } else {
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  }
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &a.sin_addr, buf, sizeof(buf));
  return std::string(buf) + ":" + std::to_string(ntohs(a.sin_port));
}

TEST(SocketOwner, FindsTheClientEndOfALoopbackConnectionAndWhoHoldsIt) {
  UniqueFd listener(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  ASSERT_EQ(listen(listener.get(), 1), 0);
  socklen_t len = sizeof(a);
  getsockname(listener.get(), reinterpret_cast<sockaddr*>(&a), &len);
  UniqueFd client(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  ASSERT_EQ(connect(client.get(), reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
  UniqueFd accepted(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(accepted.valid());
  // What the proxy sees on the accepted socket.
  const std::string from = End(accepted.get(), true);
  const std::string to = End(accepted.get(), false);
  auto inode = SocketInode(getpid(), from, to);
  ASSERT_TRUE(inode);
  EXPECT_TRUE(TreeHolds(getpid(), *inode));
  // The other end (the proxy's) is not the client's socket.
  EXPECT_FALSE(SocketInode(getpid(), to, from) == inode);
  client.Reset();
  EXPECT_FALSE(TreeHolds(getpid(), *inode));
}

}  // namespace
}  // namespace cordon::mcp
