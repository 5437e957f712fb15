// Fuzzes credential recognition on arbitrary environment values. Besides
// not crashing and staying fast (libFuzzer's timeout): the answer depends
// on the value alone, is one of the documented shapes, and a credential
// stays one when the value is embedded in a larger one after a space
// (tokens are found anywhere, not only at the start).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.h"
#include "policy/secret_values.h"

using cordon::fuzz::Check;

namespace {

bool Known(std::string_view shape) {
  for (std::string_view k : {"URL with a password", "GitHub token", "OpenAI or Anthropic API key",
                             "Slack token", "AWS access key id", "GitLab token", "npm token",
                             "PyPI token", "Stripe key", "Google API key", "JWT", "private key",
                             "HTTP bearer credentials", "HTTP basic credentials"}) {
    if (shape == k) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using cordon::policy::SecretValueShape;
  std::string_view value(reinterpret_cast<const char*>(data), size);
  auto shape = SecretValueShape(value);
  Check(SecretValueShape(value) == shape);
  if (shape) {
    Check(Known(*shape));
    Check(SecretValueShape("prefix " + std::string(value)).has_value());
  }
  return 0;
}
