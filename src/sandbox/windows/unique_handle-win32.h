// UniqueHandle: sole owner of a Win32 kernel object handle, closed on
// destruction (the Windows counterpart of common/unique_fd.h).
#pragma once

#include <windows.h>

#include <utility>

namespace cordon::sandbox {

class UniqueHandle {
 public:
  UniqueHandle() = default;
  // Takes ownership; INVALID_HANDLE_VALUE (what CreateFile fails with) is
  // stored as "no handle".
  explicit UniqueHandle(HANDLE h) : h_(h == INVALID_HANDLE_VALUE ? nullptr : h) {}
  UniqueHandle(UniqueHandle&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  UniqueHandle& operator=(UniqueHandle&& o) noexcept {
    if (this != &o) Reset(std::exchange(o.h_, nullptr));
    return *this;
  }
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  ~UniqueHandle() { Reset(); }

  [[nodiscard]] HANDLE get() const { return h_; }
  [[nodiscard]] bool valid() const { return h_ != nullptr; }
  [[nodiscard]] HANDLE Release() { return std::exchange(h_, nullptr); }
  void Reset(HANDLE h = nullptr) {
    if (h_ != nullptr) ::CloseHandle(h_);
    h_ = h;
  }

 private:
  HANDLE h_ = nullptr;
};

}  // namespace cordon::sandbox
