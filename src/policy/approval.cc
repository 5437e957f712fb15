// Approval names, strictness and the trusted-command match.
#include "policy/approval.h"

#include <cstdio>

namespace cordon::policy {

const char* ApprovalName(Approval a) {
  switch (a) {
    case Approval::kNever:
      return "never";
    case Approval::kOnFailure:
      return "on-failure";
    case Approval::kOnRequest:
      return "on-request";
    case Approval::kUntrusted:
      return "untrusted";
  }
  return "never";
}

std::optional<Approval> ParseApproval(std::string_view name) {
  for (Approval a :
       {Approval::kNever, Approval::kOnFailure, Approval::kOnRequest, Approval::kUntrusted}) {
    if (name == ApprovalName(a)) return a;
  }
  return std::nullopt;
}

int Strictness(Approval a) {
  switch (a) {
    case Approval::kOnRequest:
      return 0;
    case Approval::kOnFailure:
      return 1;
    case Approval::kUntrusted:
      return 2;
    case Approval::kNever:
      return 3;
  }
  return 3;
}

namespace {

std::vector<std::string_view> Words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string_view BaseName(std::string_view s) {
  size_t slash = s.rfind('/');
  return slash == std::string_view::npos ? s : s.substr(slash + 1);
}

}  // namespace

bool IsTrustedCommand(const std::vector<std::string>& argv,
                      const std::vector<std::string>& prefixes) {
  if (argv.empty()) return false;
  for (const std::string& prefix : prefixes) {
    std::vector<std::string_view> words = Words(prefix);
    if (words.empty() || words.size() > argv.size()) continue;
    bool match = argv[0] == words[0] ||
                 (words[0].find('/') == std::string_view::npos && BaseName(argv[0]) == words[0]);
    for (size_t i = 1; match && i < words.size(); ++i) match = argv[i] == words[i];
    if (match) return true;
  }
  return false;
}

std::string DescribeCommand(const std::vector<std::string>& argv, size_t max) {
  auto plain = [](unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           std::string_view("_./:=@%+,-").find(static_cast<char>(c)) != std::string_view::npos;
  };
  std::string out;
  for (const std::string& word : argv) {
    if (!out.empty()) out += ' ';
    bool quote = word.empty();
    for (unsigned char c : word) quote = quote || !plain(c);
    if (quote) out += '\'';
    for (unsigned char c : word) {
      if (c < 0x20 || c == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof(buf), "\\x%02x", c);
        out += buf;
      } else if (c == '\'') {
        out += "'\\''";
      } else {
        out += static_cast<char>(c);
      }
    }
    if (quote) out += '\'';
    if (out.size() > max) break;
  }
  if (out.size() > max) out = out.substr(0, max) + "...";
  return out;
}

}  // namespace cordon::policy
