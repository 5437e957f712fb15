// Fuzzes the git config reader (a sandbox may have written the file) and
// the command-line splitter. Besides not crashing: the entry count stays
// bounded, keys are never empty and their section and name are lowercase,
// and every path word has a '/' or starts with '~'.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "check.h"
#include "policy/git_config.h"

using cordon::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace gc = cordon::policy::git_config;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto entries = gc::Parse(in);
  Check(entries.size() <= gc::kMaxEntries);
  for (const auto& e : entries) {
    Check(!e.key.empty());
    std::string_view section = std::string_view(e.key).substr(0, e.key.find('.'));
    std::string_view name = std::string_view(e.key).substr(e.key.rfind('.') + 1);
    for (char c : section) Check(std::isupper(static_cast<unsigned char>(c)) == 0);
    for (char c : name) Check(std::isupper(static_cast<unsigned char>(c)) == 0);
    (void)gc::Classify(e.key, e.value);
  }
  for (const auto& w : gc::PathWords(in)) {
    Check(w.find('/') != std::string::npos || w.starts_with('~'));
  }
  return 0;
}
