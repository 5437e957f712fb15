// Windows path normalisation and matching (see path_match.h for the rules
// and why each errs towards matching more).
#include "sandbox/windows/path_match.h"

#include <algorithm>
#include <cstddef>
#include <utility>

namespace cordon::sandbox::windows {
namespace {

Error Refused(std::string_view path, std::string detail) {
  return PlainError("windows path", std::string(path), std::move(detail));
}

// Decodes one UTF-8 sequence at `i`; false for an invalid or overlong one.
bool DecodeUtf8(std::string_view s, size_t& i, uint32_t& cp) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  size_t len = 0;
  if (b0 < 0x80) {
    cp = b0;
    len = 1;
  } else if ((b0 & 0xe0) == 0xc0) {
    cp = b0 & 0x1f;
    len = 2;
  } else if ((b0 & 0xf0) == 0xe0) {
    cp = b0 & 0x0f;
    len = 3;
  } else if ((b0 & 0xf8) == 0xf0) {
    cp = b0 & 0x07;
    len = 4;
  } else {
    return false;
  }
  if (i + len > s.size()) return false;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return false;
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  static constexpr std::array<uint32_t, 5> kMin = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
  i += len;
  return true;
}

char AsciiUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string AsciiUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiUpper(c);
  return out;
}

// The key of one component; sets *non_ascii when a character was kept as
// is because only the volume's $UpCase table knows its upper case.
std::string ComponentKey(std::string_view comp, bool* non_ascii) {
  std::string key;
  size_t i = 0;
  while (i < comp.size()) {
    const size_t start = i;
    uint32_t cp = 0;
    DecodeUtf8(comp, i, cp);  // validated by Normalize before
    if (cp < 0x80) {
      key.push_back(AsciiUpper(static_cast<char>(cp)));
    } else if (cp == 0x131) {
      key.push_back('I');
    } else if (cp == 0x17f) {
      key.push_back('S');
    } else {
      key.append(comp.substr(start, i - start));
      *non_ascii = true;
    }
  }
  return key;
}

// "GIT~1", "CORDON~2.TOM": a base of at most 8 characters holding '~' and a
// digit, and an extension of at most 3.
bool LooksLikeShortName(std::string_view comp) {
  const size_t tilde = comp.find('~');
  if (tilde == std::string_view::npos || tilde + 1 >= comp.size()) return false;
  if (comp[tilde + 1] < '0' || comp[tilde + 1] > '9') return false;
  const size_t dot = comp.rfind('.');
  const std::string_view base = dot == std::string_view::npos ? comp : comp.substr(0, dot);
  const std::string_view ext = dot == std::string_view::npos ? "" : comp.substr(dot + 1);
  return base.size() <= 8 && ext.size() <= 3 && tilde < base.size();
}

bool IsDriveLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

bool StartsWithIgnoringCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && AsciiUpper(s.substr(0, prefix.size())) == prefix;
}

// "server\share\rest" after a UNC prefix: the root "\\server\share" and
// the rest. "." and "?" as server names would read back as a device prefix.
bool SplitUnc(std::string_view after, std::string* root, std::string_view* rest) {
  const size_t s1 = after.find('\\');
  if (s1 == 0 || s1 == std::string_view::npos) return false;
  const std::string_view server = after.substr(0, s1);
  if (server == "." || server == "?") return false;
  const size_t s2 = after.find('\\', s1 + 1);
  const std::string_view share =
      after.substr(s1 + 1, s2 == std::string_view::npos ? std::string_view::npos : s2 - s1 - 1);
  if (share.empty()) return false;
  *root = "\\\\" + std::string(server) + "\\" + std::string(share);
  *rest = s2 == std::string_view::npos ? "" : after.substr(s2 + 1);
  return true;
}

}  // namespace

std::string NormalPath::Display() const {
  std::string out = root;
  if (components.empty()) return out + "\\";
  for (const std::string& c : components) out += "\\" + c;
  return out;
}

Result<NormalPath> Normalize(std::string_view utf8_path) {
  for (size_t i = 0; i < utf8_path.size();) {
    uint32_t cp = 0;
    if (!DecodeUtf8(utf8_path, i, cp)) return Refused(utf8_path, "not valid UTF-8");
    if (cp < 0x20) return Refused(utf8_path, "holds a control character");
  }
  std::string p(utf8_path);
  for (char& c : p) {
    if (c == '/') c = '\\';
  }

  NormalPath out;
  std::string_view rest;
  bool verbatim = false;  // "\\?\": Windows does not normalise the rest
  if (p.rfind("\\\\?\\", 0) == 0 || p.rfind("\\\\.\\", 0) == 0) {
    verbatim = p[2] == '?';
    std::string_view after = std::string_view(p).substr(4);
    if (StartsWithIgnoringCase(after, "UNC\\")) {
      out.kind = RootKind::kUnc;
      after.remove_prefix(4);
      if (!SplitUnc(after, &out.root, &rest)) return Refused(utf8_path, "no server or share name");
    } else if (after.size() >= 2 && IsDriveLetter(after[0]) && after[1] == ':' &&
               (after.size() == 2 || after[2] == '\\')) {
      out.root = std::string(1, AsciiUpper(after[0])) + ":";
      rest = after.substr(std::min<size_t>(after.size(), 3));
    } else if (StartsWithIgnoringCase(after, "VOLUME{")) {
      out.kind = RootKind::kVolume;
      const size_t end = after.find('\\');
      out.root = "\\\\?\\" + std::string(after.substr(0, end));
      rest = end == std::string_view::npos ? "" : after.substr(end + 1);
    } else {
      return Refused(utf8_path, "a device path, not a file on a drive or share");
    }
  } else if (p.rfind("\\\\", 0) == 0) {
    out.kind = RootKind::kUnc;
    if (!SplitUnc(std::string_view(p).substr(2), &out.root, &rest)) {
      return Refused(utf8_path, "no server or share name");
    }
  } else if (p.size() >= 3 && IsDriveLetter(p[0]) && p[1] == ':' && p[2] == '\\') {
    out.root = std::string(1, AsciiUpper(p[0])) + ":";
    rest = std::string_view(p).substr(3);
  } else if (p.size() >= 2 && IsDriveLetter(p[0]) && p[1] == ':') {
    return Refused(utf8_path, "relative to the drive's current directory; give a full path");
  } else {
    return Refused(utf8_path, "not a full path (C:\\... or \\\\server\\share\\...)");
  }

  std::vector<std::string> streams;
  while (!rest.empty()) {
    const size_t sep = rest.find('\\');
    std::string_view comp = rest.substr(0, sep);
    rest = sep == std::string_view::npos ? "" : rest.substr(sep + 1);
    if (comp.empty()) continue;
    if (comp == "." || comp == "..") {
      if (verbatim) return Refused(utf8_path, "\"" + std::string(comp) + "\" in a \\\\?\\ path");
      if (comp == "..") {
        if (out.components.empty()) return Refused(utf8_path, "\"..\" above the root");
        out.components.pop_back();
        streams.pop_back();
      }
      continue;
    }
    std::string stream;
    const size_t colon = comp.find(':');
    if (colon != std::string_view::npos) {
      stream = std::string(comp.substr(colon + 1));
      comp = comp.substr(0, colon);
    }
    while (!comp.empty() && (comp.back() == '.' || comp.back() == ' ')) comp.remove_suffix(1);
    // A component of dots and spaces only ("...", ". .") or a bare stream
    // ("::$DATA"): what Windows makes of it differs by API; refuse it.
    if (comp.empty()) return Refused(utf8_path, "a component of only dots, spaces or a stream");
    out.components.emplace_back(comp);
    streams.push_back(std::move(stream));
  }
  out.stream = streams.empty() ? "" : streams.back();

  bool non_ascii = false;
  out.key = out.kind == RootKind::kDrive ? out.root : ComponentKey(out.root, &non_ascii);
  for (const std::string& c : out.components) {
    out.key += "\\" + ComponentKey(c, &non_ascii);
    if (LooksLikeShortName(c)) out.needs_identity = true;
  }
  if (non_ascii) out.needs_identity = true;
  return out;
}

bool IsWithin(const NormalPath& inner, const NormalPath& outer) {
  if (inner.key.size() < outer.key.size()) return false;
  if (inner.key.compare(0, outer.key.size(), outer.key) != 0) return false;
  return inner.key.size() == outer.key.size() || inner.key[outer.key.size()] == '\\';
}

bool SamePath(const NormalPath& a, const NormalPath& b) { return a.key == b.key; }

MatchResult MatchProtected(const NormalPath& candidate,
                           const std::vector<FileIdentity>& candidate_chain,
                           const std::vector<ProtectedPath>& protected_paths) {
  for (const ProtectedPath& p : protected_paths) {
    if (IsWithin(candidate, p.path)) return {Match::kProtected, &p};
    if (p.identity.has_value()) {
      for (const FileIdentity& id : candidate_chain) {
        if (id == *p.identity) return {Match::kProtected, &p};
      }
    }
  }
  if (candidate.needs_identity && candidate_chain.empty()) return {Match::kNeedsIdentity, nullptr};
  return {Match::kNotProtected, nullptr};
}

}  // namespace cordon::sandbox::windows
