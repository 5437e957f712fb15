// /proc/PID/net/tcp{,6}, /proc/PID/task/TID/children and /proc/PID/fd.
#include "mcp/socket_owner.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <vector>

namespace cordon::mcp {

namespace {

constexpr size_t kMaxTree = 8192;  // processes of one call looked at

struct DirCloser {
  void operator()(DIR* d) const { closedir(d); }
};
using Dir = std::unique_ptr<DIR, DirCloser>;

// The numeric entries of a /proc directory.
std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> out;
  Dir d(opendir(dir.c_str()));
  if (!d) return out;
  while (dirent* e = readdir(d.get())) {
    if (e->d_name[0] >= '0' && e->d_name[0] <= '9') out.emplace_back(e->d_name);
  }
  return out;
}

// /proc/net/tcp prints each 32-bit word of the address as the host-order
// integer it is in memory.
std::string HexWords(const unsigned char* bytes, size_t n) {
  std::string out;
  char word[9];
  for (size_t i = 0; i < n; i += 4) {
    uint32_t w = 0;
    std::memcpy(&w, bytes + i, 4);
    std::snprintf(word, sizeof(word), "%08X", w);
    out += word;
  }
  return out;
}

}  // namespace

std::optional<std::string> ProcNetAddress(const std::string& endpoint, bool v6) {
  size_t colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon + 1 >= endpoint.size()) return std::nullopt;
  std::string host = endpoint.substr(0, colon);
  const std::string port_text = endpoint.substr(colon + 1);
  if (port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  const unsigned long port = std::stoul(port_text);
  if (port > 65535) return std::nullopt;
  const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
  if (bracketed) host = host.substr(1, host.size() - 2);
  unsigned char a4[4];
  unsigned char a6[16];
  std::string addr;
  if (!bracketed && inet_pton(AF_INET, host.c_str(), a4) == 1) {
    if (v6) {
      std::memset(a6, 0, 10);
      a6[10] = a6[11] = 0xff;
      std::memcpy(a6 + 12, a4, 4);
      addr = HexWords(a6, 16);
    } else {
      addr = HexWords(a4, 4);
    }
  } else if (bracketed && inet_pton(AF_INET6, host.c_str(), a6) == 1) {
    if (!v6) return std::nullopt;
    addr = HexWords(a6, 16);
  } else {
    return std::nullopt;
  }
  char port_hex[8];
  std::snprintf(port_hex, sizeof(port_hex), "%04lX", port);
  return addr + ":" + port_hex;
}

std::optional<uint64_t> SocketInode(pid_t pid, const std::string& client,
                                    const std::string& proxy) {
  for (bool v6 : {false, true}) {
    auto local = ProcNetAddress(client, v6);
    auto remote = ProcNetAddress(proxy, v6);
    if (!local || !remote) continue;
    std::ifstream in("/proc/" + std::to_string(pid) + "/net/" + (v6 ? "tcp6" : "tcp"));
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string sl, l, r, state, skip;
      fields >> sl >> l >> r >> state;
      if (l != *local || r != *remote || state != "01") continue;  // 01: ESTABLISHED
      for (int i = 0; i < 5; ++i) fields >> skip;  // tx:rx tr:when retrnsmt uid timeout
      uint64_t inode = 0;
      if (fields >> inode && inode != 0) return inode;
    }
  }
  return std::nullopt;
}

bool TreeHolds(pid_t root, uint64_t inode) {
  const std::string want = "socket:[" + std::to_string(inode) + "]";
  std::vector<std::string> todo = {std::to_string(root)};
  for (size_t seen = 0; !todo.empty() && seen < kMaxTree; ++seen) {
    const std::string pid = std::move(todo.back());
    todo.pop_back();
    const std::string base = "/proc/" + pid;
    const std::string fds = base + "/fd/";
    for (const std::string& fd : Entries(fds)) {
      char target[64];
      ssize_t n = readlink((fds + fd).c_str(), target, sizeof(target) - 1);
      if (n > 0 && want.compare(0, std::string::npos, target, static_cast<size_t>(n)) == 0) {
        return true;
      }
    }
    const std::string tasks = base + "/task/";
    for (const std::string& tid : Entries(tasks)) {
      std::ifstream children(tasks + tid + "/children");
      std::string child;
      while (children >> child) todo.push_back(child);
    }
  }
  return false;
}

}  // namespace cordon::mcp
