#include "common/event.h"

#include <time.h>

namespace cordon {

int64_t NowUnixNano() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

}  // namespace cordon
