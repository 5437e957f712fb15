// `cordon secret`'s host on Unix (secret_host.h): the XDG state directory,
// isatty, read(2) of fd 0, and termios to turn echo off.
#include <errno.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>

#include "cli/secret_host.h"
#include "cli/state_dirs.h"
#include "vault/crypto.h"
#include "vault/format.h"

namespace cordon::cli::secret_host {

Result<std::string> StateDir() {
  auto host = policy::HostFacts::FromProcess();
  if (!host.ok()) return host.error();
  return StateDirs::For(host.value()).state;
}

void RawStdout() {}

bool StdinIsTerminal() { return ::isatty(STDIN_FILENO) != 0; }
bool StdoutIsTerminal() { return ::isatty(STDOUT_FILENO) != 0; }

Result<std::string> ReadStdin() {
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysError("read", "stdin", errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > vault::kMaxValueBytes + 2) {
      vault::Wipe(out.data(), out.size());
      return PlainError("secret set", "stdin", "the value is larger than 1 MiB");
    }
  }
  vault::Wipe(buf, sizeof buf);
  return out;
}

Result<std::string> ReadHidden(const std::string& name) {
  struct termios old;
  if (::tcgetattr(STDIN_FILENO, &old) != 0) return SysError("tcgetattr", "stdin", errno);
  struct termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  quiet.c_lflag |= ECHONL;
  // Echo goes off before the prompt appears: what is typed after it is
  // never shown.
  if (::tcsetattr(STDIN_FILENO, TCSANOW, &quiet) != 0) {
    return SysError("tcsetattr", "stdin", errno);
  }
  std::fprintf(stderr, "Value for %s (not echoed): ", name.c_str());
  std::fflush(stderr);
  std::string line;
  Status s;
  while (true) {
    char c;
    ssize_t n = ::read(STDIN_FILENO, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      s = SysError("read", "terminal", errno);
      break;
    }
    if (n == 0 || c == '\n') break;
    line.push_back(c);
    if (line.size() > vault::kMaxValueBytes) {
      s = PlainError("secret set", "terminal", "the value is larger than 1 MiB");
      break;
    }
  }
  ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
  if (!s.ok()) {
    vault::Wipe(line.data(), line.size());
    return s.error();
  }
  return line;
}

}  // namespace cordon::cli::secret_host
