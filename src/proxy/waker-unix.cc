// The Linux half of waker.h: an eventfd.
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "common/error.h"
#include "proxy/waker.h"

namespace cordon::proxy {

Status Waker::Open(const char* what) {
  handle_.Reset(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!handle_.valid()) return SysError("eventfd", what, errno);
  return {};
}

void Waker::Signal() {
  uint64_t one = 1;
  (void)!write(handle_.get(), &one, sizeof one);
}

void Waker::Clear() {
  uint64_t count = 0;
  (void)!read(handle_.get(), &count, sizeof count);
}

}  // namespace cordon::proxy
