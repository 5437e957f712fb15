// Fuzzes the command-line parser: the input is split on NUL bytes into
// arguments. ParseArgs must return a Command or an Error, never crash or
// throw.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "cli/flags.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> args;
  std::string current;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\0') {
      args.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(static_cast<char>(data[i]));
    }
  }
  if (size > 0) args.push_back(std::move(current));
  auto cmd = cordon::cli::ParseArgs(args);
  if (!cmd.ok()) (void)cmd.error().Describe();
  return 0;
}
