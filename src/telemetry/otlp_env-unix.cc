// otlp_env.h's ProcessGetenv on Linux: getenv(3).
#include <cstdlib>

#include "telemetry/otlp_env.h"

namespace cordon::telemetry {

Getenv ProcessGetenv() {
  return [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v == nullptr ? "" : v);
  };
}

}  // namespace cordon::telemetry
