// Origin::Describe: the provenance line shown by `cordon policy show` and in
// resolution errors.
#include "policy/policy.h"

namespace cordon::policy {

std::string Origin::Describe() const {
  switch (kind) {
    case Kind::kBuiltin:
      if (!rule.empty()) return "built-in rule: " + rule;
      return note.empty() ? "built-in default" : "built-in default (" + note + ")";
    case Kind::kUserConfig:
    case Kind::kProjectConfig: {
      std::string out = file.empty() ? "config" : file;
      if (line > 0) {
        out += ":" + std::to_string(line);
        if (column > 0) {
          out += ":" + std::to_string(column);
        }
      }
      return out;
    }
    case Kind::kFlag:
      return "flag " + flag;
  }
  return "unknown";
}

}  // namespace cordon::policy
