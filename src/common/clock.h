// Milliseconds on the monotonic clock: deadlines and durations that a change
// of the wall clock must not move.
#pragma once

#include <time.h>

#include <cstdint>

namespace cordon {

inline int64_t MonotonicMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace cordon
