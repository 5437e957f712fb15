// The Unix half of socket.h: what is not inline there.
#include <fcntl.h>
#include <sys/resource.h>

#include <cerrno>

#include "common/error.h"
#include "proxy/socket.h"

namespace cordon::proxy {

Status StartSockets() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
  return {};
}

Status SetNonBlocking(Socket s, const char* what) {
  int fl = fcntl(s, F_GETFL);
  if (fl < 0 || fcntl(s, F_SETFL, fl | O_NONBLOCK) != 0) {
    return SysError("fcntl(O_NONBLOCK)", what, errno);
  }
  return {};
}

}  // namespace cordon::proxy
