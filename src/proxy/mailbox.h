// Work posted to the proxy thread from other threads (resolver lookups,
// decider answers), with an eventfd that wakes its epoll loop. Shared by
// pointer so a late poster outlives nothing it depends on.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "common/unique_fd.h"

namespace cordon::proxy {

class Mailbox {
 public:
  Mailbox() : efd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  [[nodiscard]] bool ok() const { return efd_.valid(); }
  [[nodiscard]] int fd() const { return efd_.get(); }

  void Post(std::function<void()> work) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(work));
    }
    uint64_t one = 1;
    (void)!write(efd_.get(), &one, sizeof one);
  }

  [[nodiscard]] std::vector<std::function<void()>> Take() {
    uint64_t count = 0;
    (void)!read(efd_.get(), &count, sizeof count);
    std::lock_guard lock(mu_);
    return std::exchange(queue_, {});
  }

 private:
  UniqueFd efd_;
  std::mutex mu_;
  std::vector<std::function<void()>> queue_;
};

}  // namespace cordon::proxy
