// Windows path normalisation and matching: every spelling Windows accepts
// for a protected path matches it (case, separators, prefixes, trailing dots
// and spaces, streams), and the spellings only the file system can resolve
// (8.3 names, non-ASCII) are flagged rather than guessed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sandbox/windows/path_match.h"

namespace cordon::sandbox::windows {
namespace {

NormalPath N(const std::string& p) {
  Result<NormalPath> r = Normalize(p);
  EXPECT_TRUE(r.ok()) << p << ": " << (r.ok() ? "" : r.error().Describe());
  return r.ok() ? r.value() : NormalPath{};
}

TEST(WindowsPath, SpellingsOfOnePathShareOneKey) {
  const std::string key = N("C:\\Users\\Me\\repo\\.git\\hooks").key;
  EXPECT_EQ(key, "C:\\USERS\\ME\\REPO\\.GIT\\HOOKS");
  for (const char* p :
       {"c:/users/me/repo/.git/hooks", "C:\\Users\\Me\\repo\\.GiT\\HOOKS\\",
        "\\\\?\\C:\\Users\\Me\\repo\\.git\\hooks", "\\\\.\\c:\\users\\me\\repo\\.git\\hooks",
        "C:\\Users\\\\Me\\.\\repo\\x\\..\\.git\\hooks", "C:\\Users\\Me\\repo\\.git.\\hooks",
        "C:\\Users\\Me\\repo\\.git \\hooks. .", "C:/Users/Me/repo/.git::$INDEX_ALLOCATION/hooks"}) {
    EXPECT_EQ(N(p).key, key) << p;
  }
}

TEST(WindowsPath, DisplayKeepsCaseAndUsesBackslashes) {
  EXPECT_EQ(N("c:/Users/Me/repo/").Display(), "C:\\Users\\Me\\repo");
  EXPECT_EQ(N("D:\\").Display(), "D:\\");
  EXPECT_EQ(N("\\\\Server\\Share\\dir").Display(), "\\\\Server\\Share\\dir");
  EXPECT_EQ(N("\\\\?\\UNC\\Server\\Share\\dir").key, N("\\\\server\\share\\DIR").key);
  EXPECT_EQ(N("\\\\server\\share\\x").kind, RootKind::kUnc);
  EXPECT_EQ(N("\\\\?\\Volume{1234}\\x").kind, RootKind::kVolume);
}

TEST(WindowsPath, StreamsMapToTheirBaseFile) {
  NormalPath p = N("C:\\repo\\.git\\config::$DATA");
  EXPECT_EQ(p.key, "C:\\REPO\\.GIT\\CONFIG");
  EXPECT_EQ(p.stream, ":$DATA");
  p = N("C:\\repo\\.git\\hooks:stream");
  EXPECT_EQ(p.key, "C:\\REPO\\.GIT\\HOOKS");
  EXPECT_EQ(p.stream, "stream");
  EXPECT_EQ(N("C:\\repo\\.git\\config").stream, "");
}

TEST(WindowsPath, RelativeAndAmbiguousPathsAreRefused) {
  for (const char* p :
       {"repo\\.git", "\\repo", "C:repo", "C:", "", "\\\\server", "\\\\server\\", "\\\\.\\PIPE\\x",
        "\\\\?\\GLOBALROOT\\Device\\x", "C:\\..", "C:\\a\\...\\b", "C:\\a\\. .\\b",
        "C:\\a\\::$DATA", "\\\\?\\C:\\a\\..\\b", "C:\\a\x01z", "C:\\a\xff", "C:\\a\xc0\xaf"}) {
    EXPECT_FALSE(Normalize(p).ok()) << p;
  }
}

TEST(WindowsPath, ShortNamesAndNonAsciiNeedIdentity) {
  EXPECT_TRUE(N("C:\\repo\\GIT~1\\hooks").needs_identity);
  EXPECT_TRUE(N("C:\\PROGRA~1\\x").needs_identity);
  EXPECT_TRUE(N("C:\\repo\\CORDON~1.TOM").needs_identity);
  EXPECT_FALSE(N("C:\\repo\\.git\\hooks").needs_identity);
  EXPECT_FALSE(N("C:\\repo\\a~b").needs_identity);
  EXPECT_FALSE(N("C:\\repo\\longer-name~1").needs_identity);
  EXPECT_TRUE(N("C:\\repo\\caf\xc3\xa9").needs_identity);
  // Dotless i and long s upper-case to ASCII: matched, not just flagged.
  EXPECT_EQ(N("C:\\repo\\.g\xc4\xb1t\\hook\xc5\xbf").key, "C:\\REPO\\.GIT\\HOOKS");
}

TEST(WindowsPath, WithinAndSame) {
  const NormalPath repo = N("C:\\Users\\me\\repo");
  EXPECT_TRUE(IsWithin(N("c:\\users\\ME\\repo\\src\\a.c"), repo));
  EXPECT_TRUE(IsWithin(N("C:\\Users\\me\\repo"), repo));
  EXPECT_FALSE(IsWithin(N("C:\\Users\\me\\repo2"), repo));
  EXPECT_FALSE(IsWithin(N("C:\\Users\\me"), repo));
  EXPECT_FALSE(IsWithin(N("D:\\Users\\me\\repo"), repo));
  EXPECT_TRUE(IsWithin(repo, N("C:\\")));
  EXPECT_TRUE(SamePath(N("C:\\Users\\me\\repo\\"), N("c:/USERS/me/repo")));
}

TEST(WindowsPath, ProtectedPathsMatchByKeyOrIdentity) {
  FileIdentity hooks_id{0x1234, {}};
  hooks_id.file_id[0] = 7;
  const std::vector<ProtectedPath> prot = {
      {N("C:\\repo\\.git\\hooks"), hooks_id, "git runs it"},
      {N("C:\\repo\\.git\\config"), std::nullopt, "git reads it"}};
  EXPECT_EQ(MatchProtected(N("C:\\REPO\\.GIT\\HOOKS\\pre-commit"), {}, prot).match,
            Match::kProtected);
  EXPECT_EQ(MatchProtected(N("C:\\repo\\.git\\config:evil"), {}, prot).which, &prot[1]);
  // Not protected: a sibling that only shares a prefix.
  EXPECT_EQ(MatchProtected(N("C:\\repo\\.git\\hooks2"), {}, prot).match, Match::kNotProtected);
  EXPECT_EQ(MatchProtected(N("C:\\repo\\.git\\FETCH_HEAD"), {}, prot).match, Match::kNotProtected);
  // An 8.3 alias: unsettled without identities, protected with the chain
  // the Win32 layer read (the alias's directory is .git\hooks).
  const NormalPath alias = N("C:\\repo\\GIT~1\\hooks\\pre-commit");
  EXPECT_EQ(MatchProtected(alias, {}, prot).match, Match::kNeedsIdentity);
  FileIdentity other{0x1234, {}};
  other.file_id[0] = 9;
  EXPECT_EQ(MatchProtected(alias, {other, hooks_id}, prot).match, Match::kProtected);
  EXPECT_EQ(MatchProtected(alias, {other}, prot).match, Match::kNotProtected);
}

}  // namespace
}  // namespace cordon::sandbox::windows
