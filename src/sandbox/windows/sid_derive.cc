// SID derivation from names (see sid_derive.h for the rules and their
// sources).
#include "sandbox/windows/sid_derive.h"

#include <array>
#include <cstdint>
#include <cstdio>

#include "sandbox/windows/sha256.h"

namespace cordon::sandbox::windows {
namespace {

// ASCII to UTF-16LE with the case mapping applied per character.
std::string Utf16Le(std::string_view ascii, bool upper) {
  std::string out;
  out.reserve(ascii.size() * 2);
  for (char c : ascii) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

std::string SidFromDigest(std::string prefix, const Sha256Digest& digest, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    const uint32_t sub = uint32_t{digest[4 * i]} | (uint32_t{digest[4 * i + 1]} << 8) |
                         (uint32_t{digest[4 * i + 2]} << 16) | (uint32_t{digest[4 * i + 3]} << 24);
    prefix += '-';
    prefix += std::to_string(sub);
  }
  return prefix;
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Capability names that Windows maps to S-1-15-3-<n> instead of hashing
// (winnt.h's SECURITY_CAPABILITY_* list): a workspace capability must never
// collide with one.
constexpr std::array<std::string_view, 12> kLegacyCapabilities = {"internetClient",
                                                                  "internetClientServer",
                                                                  "privateNetworkClientServer",
                                                                  "picturesLibrary",
                                                                  "videosLibrary",
                                                                  "musicLibrary",
                                                                  "documentsLibrary",
                                                                  "enterpriseAuthentication",
                                                                  "sharedUserCertificates",
                                                                  "removableStorage",
                                                                  "appointments",
                                                                  "contacts"};

}  // namespace

Result<std::string> AppContainerSidFromName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return PlainError("AppContainer name", std::string(name), "must be 1 to 64 characters");
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ' ';
    if (!ok) {
      return PlainError("AppContainer name", std::string(name),
                        "only letters, digits, '-', '_', '.' and space are allowed");
    }
  }
  return SidFromDigest("S-1-15-2", Sha256(Utf16Le(name, /*upper=*/false)), 7);
}

Result<std::string> CapabilitySidFromName(std::string_view name) {
  if (name.empty() || name.size() > 256) {
    return PlainError("capability name", std::string(name), "must be 1 to 256 characters");
  }
  for (char c : name) {
    if (c < 0x21 || c > 0x7e) {
      return PlainError("capability name", std::string(name), "only printable ASCII is allowed");
    }
  }
  for (std::string_view legacy : kLegacyCapabilities) {
    if (EqualsIgnoringAsciiCase(name, legacy)) {
      return PlainError("capability name", std::string(name),
                        "is a well-known capability, not a derived one");
    }
  }
  return SidFromDigest("S-1-15-3-1024", Sha256(Utf16Le(name, /*upper=*/true)), 8);
}

std::string WorkspaceCapabilityName(std::string_view workspace_key) {
  const Sha256Digest digest = Sha256(workspace_key);
  std::string name = "cordon.ws.";
  for (size_t i = 0; i < 8; ++i) {
    std::array<char, 3> hex{};
    std::snprintf(hex.data(), hex.size(), "%02x", digest[i]);
    name += hex.data();
  }
  return name;
}

std::string WorkspaceReadCapabilityName(std::string_view workspace_key) {
  return WorkspaceCapabilityName(workspace_key) + ".read";
}

bool IsSidString(std::string_view sid) {
  if (sid.substr(0, 4) != "S-1-") return false;
  sid.remove_prefix(4);
  size_t parts = 0;
  while (true) {
    const size_t dash = sid.find('-');
    const std::string_view part = sid.substr(0, dash);
    if (part.empty() || part.size() > 15) return false;
    uint64_t value = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      value = value * 10 + static_cast<uint64_t>(c - '0');
    }
    if (parts == 0 ? value >= (uint64_t{1} << 48) : value > 0xffffffffULL) return false;
    ++parts;
    if (dash == std::string_view::npos) break;
    sid.remove_prefix(dash + 1);
  }
  // The authority and 1 to 15 sub-authorities.
  return parts >= 2 && parts <= 16;
}

}  // namespace cordon::sandbox::windows
