// The git config reader and the classification of variables that name code.
#include "policy/git_config.h"

#include <gtest/gtest.h>

namespace cordon::policy::git_config {
namespace {

std::string ValueOf(const std::vector<Entry>& entries, const std::string& key) {
  for (const auto& e : entries) {
    if (e.key == key) return e.value;
  }
  return "<missing>";
}

TEST(GitConfigTest, ReadsSectionsSubsectionsAndValues) {
  auto e = Parse(
      "# comment\n[Core]\n\tFSMonitor = \"tools/fs mon.sh\" ; trailing\n\thooksPath=.husky  \n"
      "[includeIf \"gitdir:~/Src/\"]\n  path = ~/work.gitconfig\n[diff.TextConv]\n\tbare\n"
      "[alias]\n\tt = \"!scripts/t.sh \\\"a b\\\"\" \\\n  --more\n");
  EXPECT_EQ(ValueOf(e, "core.fsmonitor"), "tools/fs mon.sh");
  EXPECT_EQ(ValueOf(e, "core.hookspath"), ".husky");
  EXPECT_EQ(ValueOf(e, "includeif.gitdir:~/Src/.path"), "~/work.gitconfig");
  EXPECT_EQ(ValueOf(e, "diff.textconv.bare"), "");
  // git keeps every blank before and after a continuation.
  EXPECT_EQ(ValueOf(e, "alias.t"), "!scripts/t.sh \"a b\"   --more");
}

TEST(GitConfigTest, MalformedLinesAreSkippedAndTheRestIsRead) {
  auto e = Parse(
      "[core\nfoo = 1\n[ok]\n\t9bad = x\n\tgood = y\n[sec \"unterminated]\nz = 1\n"
      "[last]\n\tv = \"a\\qb\"\n\tw = 2\n");
  EXPECT_EQ(ValueOf(e, "core.foo"), "<missing>");
  EXPECT_EQ(ValueOf(e, "ok.good"), "y");
  EXPECT_EQ(ValueOf(e, "last.w"), "2");
}

TEST(GitConfigTest, EntryCountIsBounded) {
  std::string text = "[a]\n";
  for (size_t i = 0; i < kMaxEntries + 10; ++i) text += "k = v\n";
  EXPECT_EQ(Parse(text).size(), kMaxEntries);
}

TEST(GitConfigTest, ClassifiesWhatNamesCode) {
  EXPECT_EQ(Classify("include.path", "x"), Use::kInclude);
  EXPECT_EQ(Classify("includeif.gitdir:~/a/.path", "x"), Use::kInclude);
  EXPECT_EQ(Classify("core.hookspath", ".husky"), Use::kHooksDir);
  for (const char* key : {"core.sshcommand",
                          "core.pager",
                          "core.editor",
                          "sequence.editor",
                          "gpg.program",
                          "gpg.ssh.program",
                          "diff.external",
                          "diff.pdf.textconv",
                          "diff.x.command",
                          "filter.lfs.clean",
                          "filter.lfs.smudge",
                          "filter.lfs.process",
                          "merge.ours.driver",
                          "credential.helper",
                          "credential.https://h.example.helper",
                          "pager.log",
                          "interactive.difffilter",
                          "hook.lint.command",
                          "alias.x.command",
                          "difftool.d.cmd",
                          "mergetool.m.path",
                          "remote.origin.uploadpack",
                          "uploadpack.packobjectshook"}) {
    EXPECT_EQ(Classify(key, "prog"), Use::kCommand) << key;
  }
  EXPECT_EQ(Classify("core.fsmonitor", "tools/fsmon.sh"), Use::kCommand);
  EXPECT_EQ(Classify("core.fsmonitor", "true"), Use::kNone);
  EXPECT_EQ(Classify("alias.st", "!sh -c x"), Use::kCommand);
  EXPECT_EQ(Classify("alias.st", "status -sb"), Use::kNone);
  for (const char* key : {"user.name", "core.bare", "remote.origin.url", "branch.main.merge",
                          "diff.renames", "filter.lfs.required", "core.excludesfile"}) {
    EXPECT_EQ(Classify(key, "x"), Use::kNone) << key;
  }
}

TEST(GitConfigTest, PathWordsAreTheWordsThatNameFiles) {
  EXPECT_EQ(PathWords("tools/fsmon.sh --flag"), (std::vector<std::string>{"tools/fsmon.sh"}));
  EXPECT_EQ(PathWords("!f() { ./a.sh \"$1\"; }; f ~/bin/x"),
            (std::vector<std::string>{"./a.sh", "~/bin/x"}));
  EXPECT_EQ(PathWords("'/opt/my tool' --x=a/b | less"),
            (std::vector<std::string>{"/opt/my tool", "a/b"}));
  EXPECT_TRUE(PathWords("less -R").empty());
}

}  // namespace
}  // namespace cordon::policy::git_config
