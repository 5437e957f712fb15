// SDDL DACL building and editing (see sddl.h).
#include "sandbox/windows/sddl.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdio>
#include <utility>

namespace cordon::sandbox::windows {
namespace {

struct AceFields {
  std::string type;
  std::vector<std::string> flags;  // two-letter tokens, sorted
  std::string rights;              // lower-cased hex, or the letters as written
  std::string object_guid;
  std::string inherited_guid;
  std::string sid;   // upper-cased
  std::string rest;  // a conditional expression or resource attribute, verbatim
  friend bool operator==(const AceFields&, const AceFields&) = default;
};

Error Bad(std::string_view what, std::string detail) {
  return PlainError("sddl", std::string(what.substr(0, 200)), std::move(detail));
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

std::string HexMask(uint64_t v) {
  std::array<char, 16> buf{};
  std::snprintf(buf.data(), buf.size(), "0x%llx", static_cast<unsigned long long>(v));
  return buf.data();
}

// The SDDL right letters (sddl.h, "Access rights" in Microsoft's SDDL
// documentation) and the mask bits each stands for. Windows writes a mask
// it can spell this way in letters: the deny cordon adds as 0xd0156 reads
// back from ConvertSecurityDescriptorToStringSecurityDescriptorW as
// "DCLCRPDTCRSDWDWO" (seen under Wine; tests/windows/sddl_test.cc), so
// letters and hex must compare as the same mask or uninstall would not find
// cordon's own ACE.
constexpr std::array<std::pair<std::string_view, uint32_t>, 28> kRightLetters = {{
    {"GA", 0x10000000}, {"GR", 0x80000000}, {"GW", 0x40000000}, {"GX", 0x20000000},
    {"RC", 0x20000},    {"SD", 0x10000},    {"WD", 0x40000},    {"WO", 0x80000},
    {"RP", 0x10},       {"WP", 0x20},       {"CC", 0x1},        {"DC", 0x2},
    {"LC", 0x4},        {"SW", 0x8},        {"LO", 0x80},       {"DT", 0x40},
    {"CR", 0x100},      {"FA", 0x1f01ff},   {"FR", 0x120089},   {"FW", 0x120116},
    {"FX", 0x1200a0},   {"KA", 0xf003f},    {"KR", 0x20019},    {"KW", 0x20006},
    {"KX", 0x20019},    {"NR", 0x1},        {"NW", 0x2},        {"NX", 0x4},
}};

// "0x1301BF", "0x1301bf" and the same mask in SDDL letters alike ("FA" is
// "0x1f01ff"); a value that is neither stays as written.
std::string NormalRights(std::string_view r) {
  if (!r.empty() && r.size() % 2 == 0 && r.substr(0, 2) != "0x" && r.substr(0, 2) != "0X") {
    uint64_t v = 0;
    for (size_t i = 0; i < r.size(); i += 2) {
      const std::string upper = Upper(r.substr(i, 2));
      bool known = false;
      for (const auto& [letters, bits] : kRightLetters) {
        if (upper == letters) {
          v |= bits;
          known = true;
        }
      }
      if (!known) return std::string(r);
    }
    return HexMask(v);
  }
  if (r.size() > 2 && (r.substr(0, 2) == "0x" || r.substr(0, 2) == "0X")) {
    uint64_t v = 0;
    for (char c : r.substr(2)) {
      const char u = Upper(std::string_view(&c, 1))[0];
      if (u >= '0' && u <= '9') {
        v = (v << 4) | static_cast<uint64_t>(u - '0');
      } else if (u >= 'A' && u <= 'F') {
        v = (v << 4) | static_cast<uint64_t>(u - 'A' + 10);
      } else {
        return std::string(r);
      }
      if (v > 0xffffffffULL) return std::string(r);
    }
    return HexMask(v);
  }
  return std::string(r);
}

// Splits "(a;b;c;d;e;f[;g])" into fields; fields after the sixth (a
// conditional expression) are kept as one verbatim string.
Result<AceFields> ParseAce(std::string_view ace) {
  if (ace.size() < 2 || ace.front() != '(' || ace.back() != ')') return Bad(ace, "not (...)");
  std::string_view body = ace.substr(1, ace.size() - 2);
  std::vector<std::string_view> parts;
  for (int i = 0; i < 5; ++i) {
    const size_t semi = body.find(';');
    if (semi == std::string_view::npos) return Bad(ace, "an ACE has fewer than 6 fields");
    parts.push_back(body.substr(0, semi));
    body.remove_prefix(semi + 1);
  }
  const size_t semi = body.find(';');
  parts.push_back(body.substr(0, semi));
  AceFields f;
  f.type = Upper(parts[0]);
  if (f.type.empty()) return Bad(ace, "an ACE without a type");
  const std::string flags = Upper(parts[1]);
  if (flags.size() % 2 != 0) return Bad(ace, "ACE flags are two-letter tokens");
  for (size_t i = 0; i < flags.size(); i += 2) f.flags.push_back(flags.substr(i, 2));
  std::sort(f.flags.begin(), f.flags.end());
  f.rights = NormalRights(parts[2]);
  f.object_guid = Upper(parts[3]);
  f.inherited_guid = Upper(parts[4]);
  f.sid = Upper(parts[5]);
  if (f.sid.empty()) return Bad(ace, "an ACE without a SID");
  if (semi != std::string_view::npos) f.rest = std::string(body.substr(semi + 1));
  return f;
}

bool IsInherited(const AceFields& f) {
  return std::find(f.flags.begin(), f.flags.end(), "ID") != f.flags.end();
}

bool IsDenyType(const AceFields& f) { return f.type == "D" || f.type == "OD" || f.type == "XD"; }

}  // namespace

std::string AceSddl(AceType type, uint8_t inheritance, uint32_t mask, std::string_view sid) {
  std::array<char, 16> m{};
  std::snprintf(m.data(), m.size(), "0x%x", mask);
  return std::string("(") + (type == AceType::kAllow ? "A" : "D") + ";" +
         InheritanceLetters(inheritance) + ";" + m.data() + ";;;" + std::string(sid) + ")";
}

std::string AceSddl(const AceEntry& entry) {
  return AceSddl(entry.type, entry.inheritance, entry.mask, entry.sid);
}

Result<Dacl> ParseDacl(std::string_view sddl) {
  if (sddl.substr(0, 2) != "D:") return Bad(sddl, "a DACL starts with \"D:\"");
  std::string_view rest = sddl.substr(2);
  Dacl dacl;
  while (!rest.empty() && rest.front() != '(') {
    const char c = rest.front();
    if (!((c >= 'A' && c <= 'Z') || c == '_')) return Bad(sddl, "bad DACL flag character");
    dacl.flags.push_back(c);
    rest.remove_prefix(1);
  }
  while (!rest.empty()) {
    if (rest.front() != '(') return Bad(sddl, "text between ACEs");
    // Find the closing parenthesis at depth 0, skipping quoted strings of a
    // conditional expression.
    int depth = 0;
    bool quoted = false;
    size_t end = std::string_view::npos;
    for (size_t i = 0; i < rest.size(); ++i) {
      const char c = rest[i];
      if (quoted) {
        if (c == '"') quoted = false;
        continue;
      }
      if (c == '"') {
        quoted = true;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        end = i;
        break;
      }
    }
    if (end == std::string_view::npos) return Bad(sddl, "an ACE is not closed");
    const std::string_view ace = rest.substr(0, end + 1);
    Result<AceFields> fields = ParseAce(ace);
    if (!fields.ok()) return fields.error();
    dacl.aces.emplace_back(ace);
    rest.remove_prefix(end + 1);
  }
  return dacl;
}

std::string FormatDacl(const Dacl& dacl) {
  std::string out = "D:" + dacl.flags;
  for (const std::string& a : dacl.aces) out += a;
  return out;
}

Result<Dacl> WithAce(const Dacl& dacl, std::string_view ace) {
  Result<AceFields> add = ParseAce(ace);
  if (!add.ok()) return add.error();
  const bool deny = IsDenyType(add.value());
  size_t insert_at = dacl.aces.size();
  bool found_place = false;
  for (size_t i = 0; i < dacl.aces.size(); ++i) {
    Result<AceFields> f = ParseAce(dacl.aces[i]);
    if (!f.ok()) return f.error();
    if (!IsInherited(f.value()) && f.value() == add.value()) return dacl;
    // A deny goes first; an allow after the explicit denies; both before the
    // inherited ACEs.
    if (!found_place && (deny || IsInherited(f.value()) || !IsDenyType(f.value()))) {
      insert_at = i;
      found_place = true;
    }
  }
  Dacl out = dacl;
  out.aces.insert(out.aces.begin() + static_cast<std::ptrdiff_t>(insert_at), std::string(ace));
  return out;
}

Result<bool> RemoveAce(Dacl& dacl, std::string_view ace) {
  Result<AceFields> target = ParseAce(ace);
  if (!target.ok()) return target.error();
  bool removed = false;
  std::vector<std::string> kept;
  for (std::string& a : dacl.aces) {
    Result<AceFields> f = ParseAce(a);
    if (!f.ok()) return f.error();
    if (!IsInherited(f.value()) && f.value() == target.value()) {
      removed = true;
    } else {
      kept.push_back(std::move(a));
    }
  }
  dacl.aces = std::move(kept);
  return removed;
}

std::string ProtectedDacl(const std::vector<AceEntry>& entries) {
  std::string out = "D:P";
  for (const AceEntry& e : entries) {
    if (e.type == AceType::kDeny) out += AceSddl(e);
  }
  for (const AceEntry& e : entries) {
    if (e.type == AceType::kAllow) out += AceSddl(e);
  }
  return out;
}

}  // namespace cordon::sandbox::windows
