// Fuzzes the resource limit parsers (--memory, --pids, --cpus, --tmp-size
// and their [limits] keys, which a project file may set) on arbitrary
// bytes. Besides not crashing: an accepted value is within the limit's
// bounds or "none", and what FormatLimit prints for it never is empty.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "check.h"
#include "policy/limits.h"

using cordon::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cordon::policy;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const LimitSpec& spec : kLimitSpecs) {
    auto v = ParseLimit(spec.kind, text, spec.flag);
    if (!v.ok()) {
      Check(v.error().detail.starts_with(spec.flag));
      continue;
    }
    Check(v.value() == 0 || (v.value() >= spec.min && v.value() <= spec.max));
    Check(!FormatLimit(spec.kind, v.value()).empty());
  }
  return 0;
}
