// Work posted to the proxy thread from other threads (resolver lookups,
// decider answers), with a Waker (waker.h) that wakes its loop. Shared by
// pointer so a late poster outlives nothing it depends on.
#pragma once

#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "common/result.h"
#include "proxy/waker.h"

namespace cordon::proxy {

class Mailbox {
 public:
  [[nodiscard]] Status Open() { return waker_.Open("proxy mailbox"); }
  // What the loop watches for reading.
  [[nodiscard]] Socket handle() const { return waker_.handle(); }

  void Post(std::function<void()> work) {
    {
      std::lock_guard lock(mu_);
      queue_.push_back(std::move(work));
    }
    waker_.Signal();
  }

  [[nodiscard]] std::vector<std::function<void()>> Take() {
    waker_.Clear();
    std::lock_guard lock(mu_);
    return std::exchange(queue_, {});
  }

 private:
  Waker waker_;
  std::mutex mu_;
  std::vector<std::function<void()>> queue_;
};

}  // namespace cordon::proxy
