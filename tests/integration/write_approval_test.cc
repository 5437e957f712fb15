// On-failure re-runs with a writable path: the sandbox's write watcher
// (seccomp user notification in init) records the denied write, and a
// failed run is offered the path, answered through a pseudo-terminal. Every
// "allowed" answer is checked on the host (the file exists with its
// content), every refusal too (it does not); paths that may never be
// offered (deny-read, protected) are not asked about; a run under `never`
// is not; and the watcher leaves normal write-heavy runs alone.
#include <fcntl.h>
#include <unistd.h>

#include "harness.h"

namespace cordon::it {
namespace {

class WriteApprovalTest : public SandboxTest {
 protected:
  std::vector<std::string> OnFailure() const {
    return {"--approval", "on-failure", "--approval-timeout", "20"};
  }
};

TEST_F(WriteApprovalTest, OnceMakesTheDeniedPathWritableAndTheRerunPasses) {
  const std::string made = outside_ + "/made";
  auto [status, shown] =
      OnTerminal(RunArgv(OnFailure(), {"/bin/sh", "-c", "echo hi > " + made}), "writable?", "o\n");
  EXPECT_EQ(status, 0) << shown;
  EXPECT_NE(
      shown.find("re-run `/bin/sh -c 'echo hi > " + made + "'` with " + outside_ + " writable?"),
      std::string::npos)
      << shown;
  EXPECT_NE(shown.find("cordon: re-running with " + outside_ + " writable"), std::string::npos)
      << shown;
  ASSERT_TRUE(Exists(made)) << shown;
  EXPECT_EQ(ReadFile(made), "hi\n");
}

TEST_F(WriteApprovalTest, DenyLeavesTheHostUntouched) {
  const std::string made = outside_ + "/made";
  auto [status, shown] =
      OnTerminal(RunArgv(OnFailure(), {"/bin/sh", "-c", "echo hi > " + made}), "writable?", "d\n");
  EXPECT_NE(status, 0) << shown;
  EXPECT_NE(shown.find("writable?"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("re-running"), std::string::npos) << shown;
  EXPECT_FALSE(Exists(made));
  EXPECT_EQ(ReadFile(outside_ + "/target.txt"), "original outside\n");
  // The denial, the question and the answer are events.
  std::string events;
  for (const std::string& f : ListDir(state_ + "/cordon/events")) {
    events += ReadFile(state_ + "/cordon/events/" + f);
  }
  EXPECT_NE(events.find("\"cordon.fs.denial\""), std::string::npos);
  EXPECT_NE(events.find("\"" + made + "\""), std::string::npos);
  EXPECT_NE(events.find("\"writable\""), std::string::npos);
  EXPECT_NE(events.find("cordon.approval.decision"), std::string::npos);
}

TEST_F(WriteApprovalTest, AnExistingFileIsOfferedItself) {
  const std::string target = outside_ + "/target.txt";
  auto [status, shown] = OnTerminal(
      RunArgv(OnFailure(), {"/bin/sh", "-c", "echo changed > " + target}), "writable?", "o\n");
  EXPECT_EQ(status, 0) << shown;
  EXPECT_NE(shown.find("re-running with " + target + " writable"), std::string::npos) << shown;
  EXPECT_EQ(ReadFile(target), "changed\n");
}

TEST_F(WriteApprovalTest, AWriteUnderADenyReadPathIsNotOffered) {
  const std::string key = home_ + "/.ssh/planted";
  auto [status, shown] =
      OnTerminal(RunArgv(OnFailure(), {"/bin/sh", "-c", "echo x > " + key}), "", "");
  EXPECT_NE(status, 0) << shown;
  EXPECT_EQ(shown.find("writable?"), std::string::npos) << shown;
  EXPECT_NE(shown.find("cordon: the run failed after a write to " + key +
                       " was denied; not offered: " + key +
                       " is hidden from the sandbox (deny-read " + home_ + "/.ssh)\r\n"),
            std::string::npos)
      << shown;
  EXPECT_FALSE(Exists(key));
}

TEST_F(WriteApprovalTest, AWriteToGitHooksIsNotOffered) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER("protected paths are writable (docs/mechanisms.md)");
  InitRepo(ws_);
  const std::string hook = ws_ + "/.git/hooks/pre-commit";
  auto [status, shown] =
      OnTerminal(RunArgv(OnFailure(), {"/bin/sh", "-c", "echo x > .git/hooks/pre-commit"}), "", "");
  EXPECT_NE(status, 0) << shown;
  EXPECT_EQ(shown.find("writable?"), std::string::npos) << shown;
  EXPECT_NE(shown.find("was denied; not offered: " + ws_ + "/.git/hooks is protected\r\n"),
            std::string::npos)
      << shown;
  EXPECT_FALSE(Exists(hook));
}

TEST_F(WriteApprovalTest, NeverAsksNothingForADeniedWrite) {
  const std::string made = outside_ + "/made";
  auto [status, shown] =
      OnTerminal(RunArgv({"--approval", "never"}, {"/bin/sh", "-c", "echo hi > " + made}), "", "");
  EXPECT_NE(status, 0) << shown;
  EXPECT_EQ(shown.find("writable?"), std::string::npos) << shown;
  EXPECT_EQ(shown.find("not offered"), std::string::npos) << shown;
  EXPECT_FALSE(Exists(made));
}

TEST_F(WriteApprovalTest, TheWatcherLeavesWriteHeavyRunsAlone) {
  // Every watched call, in the workspace: creat, open O_TRUNC/O_APPEND,
  // mkdir, rename, link, symlink, unlink, rmdir, truncate.
  const std::string script =
      "set -e; for i in $(seq 1000); do echo $i > f$i; done; "
      "mkdir -p d/e; mv f1 d/e/g; ln f2 h2; ln -s f3 s3; rm f4; rmdir d/e 2>/dev/null || true; "
      "echo more >> f5; truncate -s 0 f6; : > f7; ls | wc -l";
  RunResult r = Run(OnFailure(), {"/bin/sh", "-c", script});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "1001\n") << r.err;  // f1..f1000 - f1 - f4 + d h2 s3
  EXPECT_EQ(ReadFile(ws_ + "/d/e/g"), "1\n");
  EXPECT_EQ(ReadFile(ws_ + "/f5"), "5\nmore\n");
  EXPECT_EQ(ReadFile(ws_ + "/f6"), "");
  EXPECT_FALSE(Exists(ws_ + "/f4"));
  EXPECT_EQ(r.err.find("not offered"), std::string::npos) << r.err;
}

TEST_F(WriteApprovalTest, DeniedCallsStayDeniedUnderTheWatcher) {
  // The watcher answers CONTINUE, always: the kernel's checks still decide,
  // and the filter's own EPERM rules keep their precedence.
  const std::string made = outside_ + "/made";
  RunResult r = Run(OnFailure(), {"/bin/sh", "-c",
                                  "echo hi > " + made +
                                      " || echo write-denied; "
                                      "mkdir " +
                                      outside_ +
                                      "/dir || echo mkdir-denied; "
                                      "unshare -U true 2>/dev/null || echo unshare-denied"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "write-denied\nmkdir-denied\nunshare-denied\n") << r.err;
  EXPECT_FALSE(Exists(made));
  EXPECT_FALSE(Exists(outside_ + "/dir"));
}

}  // namespace
}  // namespace cordon::it
