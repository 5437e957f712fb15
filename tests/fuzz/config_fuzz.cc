// Fuzzes the config-file parser and validator on arbitrary bytes, as both a
// user and a project file: it must return a layer or an Error, never crash,
// hang or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/config_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  for (auto kind : {cordon::policy::ConfigKind::kUser, cordon::policy::ConfigKind::kProject}) {
    auto layer = cordon::policy::ParseConfig(text, "/fuzz/config.toml", kind);
    if (!layer.ok()) {
      (void)layer.error().Describe();
    }
  }
  return 0;
}
