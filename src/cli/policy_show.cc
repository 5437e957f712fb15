// `cordon policy show [--json]`: the resolved policy and where each rule
// came from.
#include <cstdio>

#include "cli/commands.h"
#include "common/outcome.h"
#include "policy/loader.h"
#include "policy/render.h"

namespace cordon::cli {

int PolicyShowCommand(const Command& command) {
  auto host = policy::HostFacts::FromProcess();
  if (!host.ok()) {
    std::fprintf(stderr, "cordon: %s\n", host.error().Describe().c_str());
    return kExitSetupError;
  }
  auto resolved = policy::Resolve(command.overrides, host.value());
  if (!resolved.ok()) {
    std::fprintf(stderr, "cordon: %s\n", resolved.error().Describe().c_str());
    return kExitSetupError;
  }
  std::string out =
      command.json ? policy::RenderJson(resolved.value()) : policy::RenderText(resolved.value());
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace cordon::cli
