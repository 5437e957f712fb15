// Names of Mode and NetMode, and their permissiveness order.
#include "policy/names.h"

namespace cordon::policy {

const char* ModeName(Mode m) {
  switch (m) {
    case Mode::kReadOnly:
      return "read-only";
    case Mode::kWorkspaceWrite:
      return "workspace-write";
    case Mode::kFullAccess:
      return "full-access";
  }
  return "unknown";
}

const char* NetModeName(NetMode m) {
  switch (m) {
    case NetMode::kOff:
      return "off";
    case NetMode::kProxy:
      return "proxy";
    case NetMode::kFull:
      return "full";
  }
  return "unknown";
}

std::optional<Mode> ParseMode(std::string_view name) {
  for (Mode m : {Mode::kReadOnly, Mode::kWorkspaceWrite, Mode::kFullAccess}) {
    if (name == ModeName(m)) {
      return m;
    }
  }
  return std::nullopt;
}

std::optional<NetMode> ParseNetMode(std::string_view name) {
  for (NetMode m : {NetMode::kOff, NetMode::kProxy, NetMode::kFull}) {
    if (name == NetModeName(m)) {
      return m;
    }
  }
  return std::nullopt;
}

int Rank(Mode m) { return static_cast<int>(m); }
int Rank(NetMode m) { return static_cast<int>(m); }

}  // namespace cordon::policy
