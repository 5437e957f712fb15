// Command lines and environment blocks (see command_line.h).
#include "sandbox/windows/command_line.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace cordon::sandbox::windows {
namespace {

bool NeedsQuotes(std::string_view arg) {
  return arg.empty() || arg.find_first_of(" \t\n\v\"") != std::string_view::npos;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string QuoteCommandLine(const std::vector<std::string>& args) {
  std::string line;
  for (const std::string& arg : args) {
    if (!line.empty()) line += ' ';
    if (!NeedsQuotes(arg)) {
      line += arg;
      continue;
    }
    line += '"';
    size_t backslashes = 0;
    for (char c : arg) {
      if (c == '\\') {
        ++backslashes;
        continue;
      }
      // Backslashes are literal unless a quote follows: then each one is
      // doubled, and the quote gets one of its own.
      line.append(c == '"' ? 2 * backslashes + 1 : backslashes, '\\');
      backslashes = 0;
      line += c;
    }
    // Before the closing quote, every backslash is doubled.
    line.append(2 * backslashes, '\\');
    line += '"';
  }
  return line;
}

std::string EnvironmentBlock(const std::vector<std::string>& entries) {
  struct Entry {
    std::string key;  // the name, upper-cased
    const std::string* text;
  };
  std::vector<Entry> kept;
  for (const std::string& entry : entries) {
    const size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    std::string key = Upper(std::string_view(entry).substr(0, eq));
    const bool seen =
        std::any_of(kept.begin(), kept.end(), [&](const Entry& e) { return e.key == key; });
    if (!seen) kept.push_back(Entry{std::move(key), &entry});
  }
  std::stable_sort(kept.begin(), kept.end(),
                   [](const Entry& a, const Entry& b) { return a.key < b.key; });
  std::string block;
  for (const Entry& e : kept) {
    block += *e.text;
    block += '\0';
  }
  if (kept.empty()) block += '\0';  // an empty block is two NULs
  block += '\0';
  return block;
}

}  // namespace cordon::sandbox::windows
