// Socket families a network namespace does not separate (issue 12, class
// 4): in both tiers and every network mode, seccomp lets the sandbox create
// only AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK (NETLINK_ROUTE) sockets.
// Every other family fails with EAFNOSUPPORT, other netlink protocols with
// EPROTONOSUPPORT.
//
// A kernel without a family answers EAFNOSUPPORT too, so "refused inside"
// alone proves nothing for a family this host lacks. Two checks make every
// case real: where the host creates the socket (the probe run outside
// cordon says ok), the sandbox must refuse it; and for every family, the
// probe also asks with an invalid type flag, which the kernel rejects with
// EINVAL before it looks at the family (__sys_socket checks the flags
// first; the test asserts that on the host), while seccomp sees the call
// before the kernel does: cordon's errno there can only come from the
// filter. The twins: the allowed families create real sockets, netlink
// lists the interfaces, and the invalid flag still reaches the kernel.
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "harness.h"

namespace cordon::it {
namespace {

// A type flag the kernel refuses (EINVAL) before looking at the family.
constexpr long kInvalidTypeFlag = 0x10;

struct Case {
  const char* what;
  long family;
  long type;
  long protocol;
  const char* refused_with;  // cordon's errno
};

// The families a VM, a device or the kernel's crypto and cluster code sit
// behind; none is separated by a network namespace.
const std::vector<Case>& RefusedCases() {
  static const std::vector<Case> kCases = {
      {"AF_VSOCK stream (the VM host's port space)", AF_VSOCK, SOCK_STREAM, 0, "EAFNOSUPPORT"},
      {"AF_VSOCK seqpacket", AF_VSOCK, SOCK_SEQPACKET, 0, "EAFNOSUPPORT"},
      {"AF_VSOCK with high bits set (the kernel reads the low 32)", (1L << 32) | AF_VSOCK,
       SOCK_STREAM, 0, "EAFNOSUPPORT"},
      {"AF_BLUETOOTH (RFCOMM)", AF_BLUETOOTH, SOCK_STREAM, 3, "EAFNOSUPPORT"},
      {"AF_TIPC", AF_TIPC, SOCK_RDM, 0, "EAFNOSUPPORT"},
      {"AF_CAN (CAN_RAW)", AF_CAN, SOCK_RAW, 1, "EAFNOSUPPORT"},
      {"AF_RDS", AF_RDS, SOCK_SEQPACKET, 0, "EAFNOSUPPORT"},
      {"AF_QIPCRTR", AF_QIPCRTR, SOCK_DGRAM, 0, "EAFNOSUPPORT"},
      {"AF_PACKET raw", AF_PACKET, SOCK_RAW, htons(ETH_P_ALL), "EAFNOSUPPORT"},
      {"AF_PACKET dgram", AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL), "EAFNOSUPPORT"},
      {"AF_ALG (kernel crypto API)", AF_ALG, SOCK_SEQPACKET, 0, "EAFNOSUPPORT"},
      {"AF_XDP", AF_XDP, SOCK_RAW, 0, "EAFNOSUPPORT"},
      {"AF_SMC", AF_SMC, SOCK_STREAM, 0, "EAFNOSUPPORT"},
      {"AF_MCTP", AF_MCTP, SOCK_DGRAM, 0, "EAFNOSUPPORT"},
      {"AF_KEY", AF_KEY, SOCK_RAW, 2, "EAFNOSUPPORT"},
      {"AF_KCM", AF_KCM, SOCK_DGRAM, 0, "EAFNOSUPPORT"},
      {"AF_UNSPEC", AF_UNSPEC, SOCK_STREAM, 0, "EAFNOSUPPORT"},
      {"family 63 (beyond AF_MAX)", 63, SOCK_STREAM, 0, "EAFNOSUPPORT"},
      {"NETLINK_SOCK_DIAG (every socket of the namespace)", AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG,
       "EPROTONOSUPPORT"},
      {"NETLINK_KOBJECT_UEVENT", AF_NETLINK, SOCK_DGRAM, NETLINK_KOBJECT_UEVENT, "EPROTONOSUPPORT"},
      {"NETLINK_AUDIT", AF_NETLINK, SOCK_RAW, NETLINK_AUDIT, "EPROTONOSUPPORT"},
      {"NETLINK_GENERIC", AF_NETLINK, SOCK_RAW, NETLINK_GENERIC, "EPROTONOSUPPORT"},
      {"NETLINK_NETFILTER", AF_NETLINK, SOCK_RAW, NETLINK_NETFILTER, "EPROTONOSUPPORT"},
      {"NETLINK_XFRM", AF_NETLINK, SOCK_RAW, NETLINK_XFRM, "EPROTONOSUPPORT"},
      {"NETLINK_ROUTE with high bits set", AF_NETLINK, SOCK_RAW, 1L << 32, "EPROTONOSUPPORT"},
  };
  return kCases;
}

// The network modes the filter is the same in (host network included).
const std::vector<std::vector<std::string>>& NetModes() {
  static const std::vector<std::vector<std::string>> kModes = {
      {}, {"--net", "full"}, {"--net", "proxy"}};
  return kModes;
}

std::vector<std::string> Args(const char* op, const Case& c, long extra_type = 0) {
  return {op, std::to_string(c.family), std::to_string(c.type | extra_type),
          std::to_string(c.protocol)};
}

std::string ModeName(const std::vector<std::string>& opts) {
  return opts.empty() ? "--net off" : opts[0] + " " + opts[1];
}

class SocketFamilyTest : public SandboxTest {
 protected:
  // The probe on the host, outside cordon: what the kernel answers.
  RunResult HostProbe(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {ProbeBin()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, env_, ws_);
  }
};

TEST_F(SocketFamilyTest, OtherFamiliesAreRefusedByTheFilterInEveryNetMode) {
  int host_has = 0;
  for (const Case& c : RefusedCases()) {
    SCOPED_TRACE(c.what);
    // The host: the kernel checks the type flags first, whatever the family.
    RunResult host_invalid = HostProbe(Args("socket", c, kInvalidTypeFlag));
    ASSERT_TRUE(Denied(host_invalid, {"EINVAL"}));
    const bool on_host = Allowed(HostProbe(Args("socket", c)));
    host_has += on_host ? 1 : 0;
    for (const auto& opts : NetModes()) {
      SCOPED_TRACE(ModeName(opts));
      // The real call is refused (meaningful on its own where the host has
      // the family)...
      EXPECT_TRUE(Denied(Probe(opts, Args("socket", c)), {c.refused_with}));
      // ...and the filter, not the kernel, refused it: the kernel would
      // have said EINVAL.
      EXPECT_TRUE(Denied(Probe(opts, Args("socket", c, kInvalidTypeFlag)), {c.refused_with}));
    }
  }
  // This machine's kernel has vsock, packet, xdp and netlink: most hosts
  // have packet and netlink at least. Say how many were real creations.
  RecordProperty("families_the_host_creates", host_has);
}

TEST_F(SocketFamilyTest, SocketpairOfOtherFamiliesIsRefusedByTheFilter) {
  // AF_TIPC implements socketpair; AF_VSOCK answers EOPNOTSUPP on the host.
  for (long family : {static_cast<long>(AF_TIPC), static_cast<long>(AF_VSOCK),
                      static_cast<long>(AF_PACKET), static_cast<long>(AF_BLUETOOTH)}) {
    Case c{"socketpair", family, SOCK_STREAM, 0, "EAFNOSUPPORT"};
    SCOPED_TRACE(family);
    ASSERT_TRUE(Denied(HostProbe(Args("socketpair", c, kInvalidTypeFlag)), {"EINVAL"}));
    for (const auto& opts : NetModes()) {
      SCOPED_TRACE(ModeName(opts));
      EXPECT_TRUE(Denied(Probe(opts, Args("socketpair", c)), {"EAFNOSUPPORT"}));
      EXPECT_TRUE(Denied(Probe(opts, Args("socketpair", c, kInvalidTypeFlag)), {"EAFNOSUPPORT"}));
    }
  }
  // The twin: unix socketpairs (every tier: the nsless tier keeps stream
  // ones) work, and an invalid flag reaches the kernel.
  Case unix_pair{"unix socketpair", AF_UNIX, SOCK_STREAM, 0, ""};
  for (const auto& opts : NetModes()) {
    SCOPED_TRACE(ModeName(opts));
    EXPECT_TRUE(Allowed(Probe(opts, Args("socketpair", unix_pair))));
    EXPECT_TRUE(Denied(Probe(opts, Args("socketpair", unix_pair, kInvalidTypeFlag)), {"EINVAL"}));
  }
}

TEST_F(SocketFamilyTest, InetPacketTypeIsRefused) {
  // socket(AF_INET, SOCK_PACKET) is an AF_PACKET socket by another name.
  Case c{"AF_INET SOCK_PACKET", AF_INET, SOCK_PACKET, htons(ETH_P_ALL), "EPERM"};
  ASSERT_TRUE(Denied(HostProbe(Args("socket", c, kInvalidTypeFlag)), {"EINVAL"}));
  for (const auto& opts : NetModes()) {
    SCOPED_TRACE(ModeName(opts));
    EXPECT_TRUE(Denied(Probe(opts, Args("socket", c)), {"EPERM"}));
    EXPECT_TRUE(Denied(Probe(opts, Args("socket", c, kInvalidTypeFlag)), {"EPERM"}));
  }
}

TEST_F(SocketFamilyTest, TheFamiliesThePolicyNeedsWork) {
  const Case tcp4{"tcp", AF_INET, SOCK_STREAM, 0, ""};
  const Case tcp6{"tcp6", AF_INET6, SOCK_STREAM, 0, ""};
  const Case udp4{"udp", AF_INET, SOCK_DGRAM, 0, ""};
  const Case udp6{"udp6", AF_INET6, SOCK_DGRAM, 0, ""};
  const Case route{"netlink route", AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, ""};
  const Case route_dgram{"netlink route dgram", AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE, ""};
  const Case unix_stream{"unix stream", AF_UNIX, SOCK_STREAM, 0, ""};
  const Case unix_dgram{"unix dgram", AF_UNIX, SOCK_DGRAM, 0, ""};
  for (const auto& opts : NetModes()) {
    SCOPED_TRACE(ModeName(opts));
    for (const Case* c : {&tcp4, &tcp6, &route, &route_dgram}) {
      EXPECT_TRUE(Allowed(Probe(opts, Args("socket", *c)))) << c->what;
      // The filter leaves them to the kernel, which checks the flags.
      EXPECT_TRUE(Denied(Probe(opts, Args("socket", *c, kInvalidTypeFlag)), {"EINVAL"})) << c->what;
    }
    // Netlink does what it is kept for: the interfaces (loopback at least).
    RunResult ifs = Probe(opts, {"getifaddrs"});
    EXPECT_TRUE(Allowed(ifs));
    const auto names = ifs.Data();
    EXPECT_NE(std::find(names.begin(), names.end(), "lo"), names.end()) << ifs.Describe();
    // UDP: the namespace-less tier refuses it offline and behind the proxy
    // (Landlock's TCP rules are its network boundary), with EPERM.
    const bool udp_refused = NamespacelessTier() && (opts.empty() || opts[1] != "full");
    for (const Case* c : {&udp4, &udp6}) {
      RunResult r = Probe(opts, Args("socket", *c));
      if (udp_refused) {
        EXPECT_TRUE(Denied(r, {"EPERM"})) << c->what;
      } else {
        EXPECT_TRUE(Allowed(r)) << c->what;
      }
    }
    // AF_UNIX: the namespace-less tier refuses socket(AF_UNIX) (a pathname
    // socket cannot be filtered by path there), with EPERM.
    for (const Case* c : {&unix_stream, &unix_dgram}) {
      RunResult r = Probe(opts, Args("socket", *c));
      if (NamespacelessTier()) {
        EXPECT_TRUE(Denied(r, {"EPERM"})) << c->what;
      } else {
        EXPECT_TRUE(Allowed(r)) << c->what;
      }
    }
  }
}

TEST_F(SocketFamilyTest, IpAddrWorks) {
  std::string ip;
  for (const char* path : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
    if (access(path, X_OK) == 0) {
      ip = path;
      break;
    }
  }
  if (ip.empty()) GTEST_SKIP() << "iproute2's ip is not installed on this host";
  for (const auto& opts : NetModes()) {
    SCOPED_TRACE(ModeName(opts));
    // Links, not addresses: offline, the namespace's loopback is down.
    RunResult r = Run(opts, {ip, "-o", "link", "show", "dev", "lo"});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_NE(r.out.find(": lo: <LOOPBACK"), std::string::npos) << r.Describe();
  }
}

}  // namespace
}  // namespace cordon::it
