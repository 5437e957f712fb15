// The namespace-less tier's private temp directory.
//
// Without a mount namespace there is no private /tmp, so the supervisor
// makes a fresh 0700 directory (under $TMPDIR when absolute, else /tmp),
// Landlock makes it writable, TMPDIR points there, and the supervisor
// removes it with everything in it once every process of the run is gone:
// nothing of the run piles up on the host.
#pragma once

#include <string>

#include "common/result.h"

namespace cordon::sandbox {

class PrivateTmp {
 public:
  PrivateTmp() = default;
  PrivateTmp(PrivateTmp&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  PrivateTmp& operator=(PrivateTmp&& other) noexcept;
  PrivateTmp(const PrivateTmp&) = delete;
  PrivateTmp& operator=(const PrivateTmp&) = delete;
  ~PrivateTmp() { (void)Remove(); }

  // Creates BASE/cordon-tmp-XXXXXX (mode 0700).
  [[nodiscard]] static Result<PrivateTmp> Create();

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] bool valid() const { return !path_.empty(); }

  // Removes the directory and its contents. Never follows a symlink the
  // command planted; makes directories it locked (mode 000) searchable
  // first. Call only once no process of the run is left.
  [[nodiscard]] Status Remove();

 private:
  explicit PrivateTmp(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace cordon::sandbox
