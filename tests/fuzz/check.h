// A fuzz target's invariant: a violation aborts, which libFuzzer reports
// with the input that caused it.
#pragma once

#include <cstdlib>

namespace cordon::fuzz {

inline void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace cordon::fuzz
