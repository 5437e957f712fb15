// Host inspection for `cordon doctor` (see doctor_host.h).
#include "cli/doctor_host.h"

#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <sodium.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/unique_fd.h"

namespace cordon::cli::doctor_host {
namespace {

std::string Hex(const void* bytes, size_t n) {
  std::string out(2 * n + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), static_cast<const unsigned char*>(bytes), n);
  out.pop_back();
  return out;
}

std::string ExpandTilde(const std::string& path, const std::string& home) {
  if (path == "~") return home;
  if (path.rfind("~/", 0) == 0) return home + path.substr(1);
  return path;
}

void WalkFrom(const std::string& root, size_t limit, std::vector<std::string>* out, int depth) {
  struct stat st;
  if (out->size() >= limit || ::lstat(root.c_str(), &st) != 0 || S_ISSOCK(st.st_mode)) return;
  if (root.find('\n') != std::string::npos) return;
  out->push_back(root);
  if (!S_ISDIR(st.st_mode) || depth > 6) return;
  DIR* dir = ::opendir(root.c_str());
  if (dir == nullptr) return;
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    WalkFrom(std::string(root).append("/").append(n), limit, out, depth + 1);
  }
}

void ParseSshConfigInto(const std::string& file, const std::string& home, int depth,
                        SshFiles* out) {
  std::ifstream in(file);
  for (std::string line; depth < 8 && std::getline(in, line);) {
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    size_t key_end = line.find_first_of(" \t=", start);
    if (key_end == std::string::npos) continue;
    std::string key = line.substr(start, key_end - start);
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    size_t value_start = line.find_first_not_of(" \t=", key_end);
    if (value_start == std::string::npos) continue;
    std::istringstream values(line.substr(value_start));
    for (std::string value; values >> value;) {
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      value = ExpandTilde(value, home);
      if (key == "identityfile" || key == "certificatefile") {
        if (value.find('%') != std::string::npos || value.front() != '/') continue;
        out->paths.push_back(value);
        if (key == "identityfile") out->private_keys.insert(value);
      } else if (key == "controlpath") {
        // A template (%r@%h:%p): the directory it lives in, when fixed.
        std::string dir = value.substr(0, value.rfind('/'));
        if (!dir.empty() && dir.front() == '/' && dir.find('%') == std::string::npos) {
          out->paths.push_back(dir);
        }
      } else if (key == "include") {
        std::string pattern =
            value.front() == '/' ? value : std::string(home).append("/.ssh/").append(value);
        glob_t g{};
        if (::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &g) == 0) {
          for (size_t i = 0; i < g.gl_pathc; ++i) {
            out->paths.push_back(g.gl_pathv[i]);
            ParseSshConfigInto(g.gl_pathv[i], home, depth + 1, out);
          }
        }
        ::globfree(&g);
      }
    }
  }
}

}  // namespace

std::string DescribeFile(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return "missing";
  char head[160];
  std::snprintf(head, sizeof head,
                "mode=%04o owner=%u:%u size=%lld mtime=%lld.%09ld ctime=%lld.%09ld",
                st.st_mode & 07777, st.st_uid, st.st_gid, static_cast<long long>(st.st_size),
                static_cast<long long>(st.st_mtim.tv_sec), st.st_mtim.tv_nsec,
                static_cast<long long>(st.st_ctim.tv_sec), st.st_ctim.tv_nsec);
  std::string d = std::string(S_ISDIR(st.st_mode)   ? "dir "
                              : S_ISLNK(st.st_mode) ? "link "
                                                    : "file ") +
                  head;
  if (S_ISREG(st.st_mode)) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK));
    crypto_generichash_state h;
    crypto_generichash_init(&h, nullptr, 0, 32);
    char buf[65536];
    ssize_t n = 0;
    while (fd.valid() && (n = ::read(fd.get(), buf, sizeof buf)) > 0) {
      crypto_generichash_update(&h, reinterpret_cast<unsigned char*>(buf), static_cast<size_t>(n));
    }
    unsigned char digest[32];
    crypto_generichash_final(&h, digest, sizeof digest);
    d += fd.valid() ? " blake2b=" + Hex(digest, 8) : " unreadable";
  } else if (S_ISLNK(st.st_mode)) {
    char target[PATH_MAX];
    ssize_t n = ::readlink(path.c_str(), target, sizeof target);
    if (n > 0) d += " -> " + std::string(target, static_cast<size_t>(n));
  }
  char names[4096];
  ssize_t len = ::llistxattr(path.c_str(), names, sizeof names);
  std::vector<std::string> attrs;
  for (ssize_t i = 0; i < len;) {
    std::string name(names + i);
    i += static_cast<ssize_t>(name.size()) + 1;
    char value[4096];
    ssize_t vlen = ::lgetxattr(path.c_str(), name.c_str(), value, sizeof value);
    attrs.push_back(name.append("=").append(Hex(value, vlen > 0 ? static_cast<size_t>(vlen) : 0)));
  }
  std::sort(attrs.begin(), attrs.end());
  for (const std::string& a : attrs) d += " " + a;
  return d;
}

void Walk(const std::string& root, size_t limit, std::vector<std::string>* out) {
  WalkFrom(root, limit, out, 0);
}

SshFiles ParseSshConfig(const std::string& file, const std::string& home) {
  SshFiles out;
  ParseSshConfigInto(file, home, 0, &out);
  return out;
}

std::vector<std::string> MountTable() {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    size_t first = line.find(' ');
    size_t second = line.find(' ', first + 1);
    out.push_back(second == std::string::npos ? line : line.substr(second + 1));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<pid_t> ProcessesWith(const std::string& marker) {
  std::vector<pid_t> out;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return out;
  while (struct dirent* e = ::readdir(proc)) {
    pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid <= 0) continue;
    // Raw reads: a process that exits mid-read fails it with ESRCH, which
    // std::ifstream would throw (and abort doctor).
    UniqueFd fd(
        ::open(("/proc/" + std::string(e->d_name) + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) continue;
    std::string cmdline;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd.get(), buf, sizeof buf)) > 0) cmdline.append(buf, static_cast<size_t>(n));
    if (cmdline.find(marker) != std::string::npos) out.push_back(pid);
  }
  ::closedir(proc);
  return out;
}

}  // namespace cordon::cli::doctor_host
