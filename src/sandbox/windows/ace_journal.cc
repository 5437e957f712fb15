// The ACE journal's text form (see ace_journal.h).
#include "sandbox/windows/ace_journal.h"

#include <array>
#include <cstdio>
#include <utility>

#include "sandbox/windows/path_match.h"
#include "sandbox/windows/sid_derive.h"

namespace cordon::sandbox::windows {
namespace {

constexpr std::string_view kHeader = "cordon-ace-journal 1";

constexpr std::array<std::pair<uint8_t, std::string_view>, 4> kFlagLetters = {
    {{kObjectInherit, "OI"},
     {kContainerInherit, "CI"},
     {kNoPropagate, "NP"},
     {kInheritOnly, "IO"}}};

Error LineError(size_t line, std::string detail) {
  return PlainError("ace journal", "line " + std::to_string(line), std::move(detail));
}

bool ParseFlags(std::string_view text, uint8_t* out) {
  *out = 0;
  if (text == "-") return true;
  if (text.empty() || text.size() % 2 != 0) return false;
  for (size_t i = 0; i < text.size(); i += 2) {
    const std::string_view two = text.substr(i, 2);
    bool known = false;
    for (const auto& [bit, letters] : kFlagLetters) {
      if (two == letters && (*out & bit) == 0) {
        *out |= bit;
        known = true;
      }
    }
    if (!known) return false;
  }
  return true;
}

bool ParseMask(std::string_view text, uint32_t* out) {
  if (text.size() < 3 || text.size() > 10 || text.substr(0, 2) != "0x") return false;
  uint32_t v = 0;
  for (char c : text.substr(2)) {
    uint32_t d = 0;
    if (c >= '0' && c <= '9') {
      d = static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      d = static_cast<uint32_t>(c - 'a' + 10);
    } else {
      return false;
    }
    v = (v << 4) | d;
  }
  *out = v;
  return true;
}

}  // namespace

std::string InheritanceLetters(uint8_t inheritance) {
  std::string out;
  for (const auto& [bit, letters] : kFlagLetters) {
    if ((inheritance & bit) != 0) out += letters;
  }
  return out;
}

std::string SerializeJournal(const std::vector<AceEntry>& entries) {
  std::string out(kHeader);
  out += '\n';
  for (const AceEntry& e : entries) {
    std::array<char, 16> mask{};
    std::snprintf(mask.data(), mask.size(), "0x%x", e.mask);
    const std::string flags = InheritanceLetters(e.inheritance);
    out += "ace\t";
    out += e.type == AceType::kAllow ? "A" : "D";
    out += "\t" + (flags.empty() ? std::string("-") : flags);
    out += "\t" + std::string(mask.data()) + "\t" + e.sid + "\t" + e.path + "\t";
    out += e.previous_dacl.empty() ? std::string("-") : e.previous_dacl;
    out += '\n';
  }
  return out;
}

Result<std::vector<AceEntry>> ParseJournal(std::string_view text) {
  std::vector<AceEntry> entries;
  size_t line_no = 0;
  bool header_seen = false;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      return LineError(line_no + 1, "the last line has no newline (a torn write?)");
    }
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    ++line_no;
    if (!header_seen) {
      if (line != kHeader) return LineError(line_no, "not a cordon ACE journal (bad header)");
      header_seen = true;
      continue;
    }
    std::vector<std::string_view> fields;
    while (true) {
      const size_t tab = line.find('\t');
      fields.push_back(line.substr(0, tab));
      if (tab == std::string_view::npos) break;
      line.remove_prefix(tab + 1);
    }
    if (fields.size() != 7 || fields[0] != "ace") {
      return LineError(line_no, "expected 7 tab-separated fields starting with \"ace\", got " +
                                    std::to_string(fields.size()));
    }
    for (std::string_view f : fields) {
      for (char c : f) {
        if (static_cast<unsigned char>(c) < 0x20) {
          return LineError(line_no, "a field holds a control character");
        }
      }
    }
    AceEntry e;
    if (fields[1] == "A") {
      e.type = AceType::kAllow;
    } else if (fields[1] == "D") {
      e.type = AceType::kDeny;
    } else {
      return LineError(line_no, "type: expected A or D");
    }
    if (!ParseFlags(fields[2], &e.inheritance)) {
      return LineError(line_no, "inheritance: expected \"-\" or letters OI, CI, NP, IO");
    }
    if (!ParseMask(fields[3], &e.mask) || e.mask == 0) {
      return LineError(line_no, "mask: expected a nonzero 0x<lower-case hex> of 32 bits");
    }
    if (!IsSidString(fields[4])) return LineError(line_no, "sid: not an S-1-... SID");
    e.sid = std::string(fields[4]);
    Result<NormalPath> path = Normalize(fields[5]);
    if (!path.ok()) return LineError(line_no, "path: " + path.error().detail);
    e.path = std::string(fields[5]);
    if (fields[6] != "-") {
      if (fields[6].substr(0, 2) != "D:") return LineError(line_no, "previous DACL: not \"D:...\"");
      e.previous_dacl = std::string(fields[6]);
    }
    entries.push_back(std::move(e));
  }
  if (!header_seen) return LineError(1, "empty file: not a cordon ACE journal");
  return entries;
}

}  // namespace cordon::sandbox::windows
