// Text edit of the user config: find `[network] allow`, extend it, parse the
// result again. Platform-neutral; the file is read and replaced by
// config_edit-unix.cc / config_edit-win32.cc.
#include "approval/config_edit.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "policy/config_file.h"

namespace cordon::approval {

namespace {

Error EditError(std::string detail) { return PlainError("approval", "config", std::move(detail)); }

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// The key a line assigns at the start ("allow" for `  allow = [`), or "".
std::string_view KeyOf(std::string_view line) {
  std::string_view t = Trim(line);
  size_t n = 0;
  while (n < t.size() && (isalnum(static_cast<unsigned char>(t[n])) != 0 || t[n] == '_' ||
                          t[n] == '-' || t[n] == '"'))
    ++n;
  std::string_view key = t.substr(0, n);
  std::string_view rest = Trim(t.substr(n));
  if (key.empty() || rest.empty() || (rest[0] != '=' && rest[0] != '.')) return {};
  if (key.size() >= 2 && key.front() == '"' && key.back() == '"')
    key = key.substr(1, key.size() - 2);
  return key;
}

// "[network]" -> "network"; "" when the line is not a table header.
std::string_view HeaderOf(std::string_view line) {
  std::string_view t = Trim(line);
  if (t.empty() || t[0] != '[') return {};
  size_t close = t.find(']');
  if (close == std::string_view::npos) return "?";
  std::string_view name = Trim(t.substr(t[1] == '[' ? 2 : 1, close - (t[1] == '[' ? 2 : 1)));
  return name.empty() ? "?" : name;
}

struct ArrayScan {
  size_t close = std::string_view::npos;     // offset of the closing ']'
  size_t last_end = std::string_view::npos;  // one past the last element's text
  bool trailing_comma = false;               // the last token before ']' was ','
  bool empty = true;
};

// Scans the array whose '[' is at `open`, honoring strings and comments.
ArrayScan ScanArray(std::string_view text, size_t open) {
  ArrayScan s;
  int depth = 0;
  for (size_t i = open; i < text.size(); ++i) {
    char c = text[i];
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '"' || c == '\'') {
      bool multi = text.substr(i, 3) == std::string_view(c == '"' ? "\"\"\"" : "'''");
      std::string_view end = multi ? text.substr(i, 3) : text.substr(i, 1);
      size_t j = i + end.size();
      while (j < text.size() && text.substr(j, end.size()) != end) {
        if (c == '"' && text[j] == '\\') ++j;
        ++j;
      }
      i = std::min(text.size(), j + end.size()) - 1;
      if (depth == 1) {
        s.empty = false;
        s.last_end = i + 1;
        s.trailing_comma = false;
      }
      continue;
    }
    if (c == '[' || c == '{') {
      ++depth;
      if (depth == 1) continue;
    }
    if (c == ']' || c == '}') {
      --depth;
      if (depth == 0) {
        s.close = i;
        return s;
      }
    }
    if (depth == 1 && c == ',') {
      s.trailing_comma = true;
    } else if (depth >= 1 && c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      s.empty = false;
      s.last_end = i + 1;
      s.trailing_comma = false;
    }
  }
  return s;
}

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string OneLine(std::string_view s) {
  std::string out(s);
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return out;
}

Result<std::string> Edit(std::string_view text, std::string_view rule, std::string_view comment) {
  const std::string comment_line = "# " + OneLine(comment);
  // Lines with their offsets.
  std::vector<std::pair<size_t, std::string_view>> lines;
  for (size_t pos = 0; pos <= text.size();) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    lines.emplace_back(pos, text.substr(pos, end - pos));
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  std::string_view table;
  size_t header_line = std::string_view::npos;
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i].second;
    if (std::string_view h = HeaderOf(line); !h.empty()) {
      table = h;
      if (h == "network") header_line = i;
      if (h.starts_with("network.")) {
        return EditError("[" + std::string(h) + "] is not a table cordon writes to");
      }
      continue;
    }
    std::string_view key = KeyOf(line);
    if (table.empty() && key == "network") {
      return EditError("'network' is written as a dotted key or inline table; add " + Quote(rule) +
                       " to network.allow by hand");
    }
    if (table == "network" && key == "allow") {
      size_t eq = text.find('=', lines[i].first);
      size_t open = text.find_first_not_of(" \t", eq + 1);
      if (open == std::string_view::npos || text[open] != '[') {
        return EditError("network.allow is not an array");
      }
      ArrayScan s = ScanArray(text, open);
      if (s.close == std::string_view::npos) return EditError("network.allow is not closed");
      std::string out(text.substr(0, s.close));
      std::string tail(text.substr(s.close));
      if (!s.empty && !s.trailing_comma) out.insert(s.last_end, ",");
      // A ']' alone on its line keeps its indentation; else it moves down.
      size_t line_start = out.find_last_of('\n');
      bool close_alone = line_start != std::string::npos &&
                         Trim(std::string_view(out).substr(line_start + 1)).empty();
      if (close_alone) {
        out.insert(line_start + 1, "  " + comment_line + "\n  " + Quote(rule) + ",\n");
      } else {
        out += "\n  " + comment_line + "\n  " + Quote(rule) + ",\n";
      }
      return out + tail;
    }
  }
  if (header_line != std::string_view::npos) {
    size_t at = header_line + 1 < lines.size() ? lines[header_line + 1].first : text.size();
    std::string out(text.substr(0, at));
    if (!out.empty() && out.back() != '\n') out += '\n';
    out += comment_line + "\nallow = [" + Quote(rule) + "]\n";
    return out + std::string(text.substr(at));
  }
  std::string out(text);
  if (!out.empty() && out.back() != '\n') out += '\n';
  if (!out.empty()) out += '\n';
  out += "[network]\n" + comment_line + "\nallow = [" + Quote(rule) + "]\n";
  return out;
}

}  // namespace

Result<std::string> AddNetworkAllow(std::string_view text, std::string_view rule,
                                    std::string_view comment) {
  auto before = policy::ParseConfig(text, "config.toml", policy::ConfigKind::kUser);
  if (!before.ok()) return EditError("the file does not parse: " + before.error().Describe());
  for (const auto& s : before.value().net_allow) {
    if (s.value == rule) return std::string(text);  // already there
  }
  auto edited = Edit(text, rule, comment);
  if (!edited.ok()) return edited;
  // Fail closed: write nothing that does not read back with the rule in it.
  auto after = policy::ParseConfig(edited.value(), "config.toml", policy::ConfigKind::kUser);
  if (!after.ok()) return EditError("the edit would not parse: " + after.error().Describe());
  const auto& allow = after.value().net_allow;
  if (std::none_of(allow.begin(), allow.end(), [&](const auto& s) { return s.value == rule; }) ||
      allow.size() != before.value().net_allow.size() + 1) {
    return EditError("the edit did not add " + Quote(rule) + " to network.allow");
  }
  return edited;
}

}  // namespace cordon::approval
