// Which call of a session sandbox opened a connection to the proxy.
//
// The proxy sees a TCP connection, which carries no credentials; its two
// ends ("IP:PORT", from the question) name one socket in the sandbox's
// network namespace (/proc/PID/net/tcp and tcp6 of any process in it), and
// its inode names the processes that hold it (/proc/PID/fd). A call's
// processes are exactly the tree under its reaper (orphans come back to
// it), so the call whose tree holds the socket is the one that asked.
// Reads /proc as the same user as the sandbox; a process whose descriptors
// it may not read (not dumpable) is not found, which denies.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace cordon::mcp {

// "IP:PORT" (IPv6 in brackets) in the hex form of /proc/net/tcp
// ("0100007F:9C40"), or of tcp6 when `v6` (an IPv4 as its v4-mapped IPv6,
// as a dual-stack socket shows it). Nullopt for anything else. Pure.
[[nodiscard]] std::optional<std::string> ProcNetAddress(const std::string& endpoint, bool v6);

// The inode of the established socket whose local end is `client` and
// remote end `proxy`, in the network namespace of `pid`; nullopt when there
// is none (the connection is gone) or /proc cannot be read.
[[nodiscard]] std::optional<uint64_t> SocketInode(pid_t pid, const std::string& client,
                                                  const std::string& proxy);

// True when `root` or one of its descendants has socket `inode` open.
[[nodiscard]] bool TreeHolds(pid_t root, uint64_t inode);

}  // namespace cordon::mcp
