// Fuzzes the OpenSSH client configuration reader of the Windows backend: no
// crash on any input, and every path it returns is non-empty.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.h"
#include "sandbox/windows/ssh_config_paths.h"

using cordon::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const cordon::sandbox::windows::SshConfigPaths p =
      cordon::sandbox::windows::SshConfigPathsOf(input, "C:\\Users\\me", "C:\\Users\\me\\.ssh");
  for (const std::string& path : p.paths) Check(!path.empty());
  for (const std::string& inc : p.includes) Check(!inc.empty());
  return 0;
}
