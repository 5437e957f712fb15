// Property 5: processes. Host processes are invisible and can't be signalled,
// ptraced or read through /proc; nothing outlives the command (a setsid +
// double-fork daemon, a --timeout tree); TIOCSTI/TIOCLINUX and the kernel's
// wider attack surface fail with EPERM (seccomp's errno, never a kill);
// signals sent to cordon reach the command; the exit status is the
// command's (128+N for signal N, 124 timeout, 126/127, 125 for cordon's own
// errors); a terminal works for interactive commands.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "harness.h"

namespace cordon::it {
namespace {

using ProcessTest = SandboxTest;

TEST_F(ProcessTest, HostProcessesAreInvisibleAndUntouchable) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "host processes are visible (NamespacelessTest checks they cannot be signalled)");
  Process host_sleep({"/bin/sleep", "30"}, env_, ws_);
  pid_t pid = host_sleep.pid();
  ASSERT_GT(pid, 100) << "host pid too small to tell apart from sandbox pids";
  for (pid_t target : {pid, getpid(), getppid()}) {
    std::string p = std::to_string(target);
    SCOPED_TRACE("host pid " + p);
    EXPECT_TRUE(Denied(Probe({"exists", "/proc/" + p}), {"ENOENT"}));
    for (const char* field : {"environ", "cmdline", "mem", "status"}) {
      EXPECT_TRUE(Denied(Probe({"read-proc", p, field}), {"ENOENT", "EACCES", "EPERM"})) << field;
    }
    EXPECT_TRUE(Denied(Probe({"kill", p, "0"}), {"ESRCH", "EPERM"}));
  }
  // Only the sleep: a successful attach to the test itself would stop it.
  EXPECT_TRUE(Denied(Probe({"ptrace-attach", std::to_string(pid)}), {"ESRCH", "EPERM"}));
  EXPECT_TRUE(Denied(Probe({"kill", std::to_string(pid), "9"}), {"ESRCH", "EPERM"}));
  // The host process really is alive and untouched.
  EXPECT_EQ(kill(pid, 0), 0);
  EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), 0);
}

TEST_F(ProcessTest, SandboxSignalsItsOwnProcesses) {
  EXPECT_TRUE(Allowed(Probe({"kill-own-child"})));
}

TEST_F(ProcessTest, DaemonDiesWhenTheCommandReturns) {
  std::string marker = "cordon-it-daemon-" + RandomToken();
  std::string beat = ws_ + "/heartbeat";
  RunResult r = Probe({"daemonize", beat, marker});
  EXPECT_TRUE(Allowed(r));
  ASSERT_TRUE(Exists(beat)) << "the daemon never started";
  EXPECT_TRUE(WaitFor([&] { return ProcessesWithArg(marker).empty(); }, 2))
      << "daemon still running after cordon returned";
  // And it no longer writes: the heartbeat file is frozen.
  std::string a = ReadFile(beat);
  usleep(150000);
  EXPECT_EQ(ReadFile(beat), a);
}

TEST_F(ProcessTest, TimeoutKillsTheWholeTreeWith124) {
  std::string marker = "cordon-it-timeout-" + RandomToken();
  std::string script = "\"$0\" sleep 30 - " + marker + " & \"$0\" daemonize hb " + marker +
                       "; \"$0\" sleep 30 - " + marker;
  RunResult r = Run({"--timeout", "1"}, {"/bin/sh", "-c", script, probe_});
  EXPECT_EQ(r.exit_code, 124) << r.Describe();
  EXPECT_LT(r.seconds, 4.0) << r.Describe();
  EXPECT_TRUE(WaitFor([&] { return ProcessesWithArg(marker).empty(); }, 2))
      << "part of the tree survived";
}

TEST_F(ProcessTest, TerminalIoctlsFailWithEperm) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "/dev/tty of the test is not the command's terminal: EACCES from Landlock");
  // stdin is /dev/null here: the probe opens a pty pair of its own, so only
  // seccomp can make TIOCSTI fail (legacy_tiocsti would allow it).
  EXPECT_TRUE(Denied(Probe({"ioctl-tiocsti"}), {"EPERM"}));
  EXPECT_TRUE(Denied(Probe({"ioctl-tioclinux"}), {"EPERM"}));
}

TEST_F(ProcessTest, KernelAttackSurfaceFailsWithEpermNotKill) {
  for (const char* op :
       {"unshare-user", "unshare-mount", "mount-tmpfs", "keyctl", "add-key", "request-key", "bpf",
        "perf-event-open", "userfaultfd", "kexec", "init-module", "finit-module"}) {
    RunResult r = Probe({op});
    EXPECT_TRUE(Denied(r, {"EPERM"})) << op;  // exit 1 with EPERM: not SIGSYS (159)
  }
}

class SignalTest : public SandboxTest, public ::testing::WithParamInterface<int> {};

TEST_P(SignalTest, SignalToCordonReachesTheCommand) {
  int sig = GetParam();
  std::string marker = ws_ + "/trapped";
  Process p(RunArgv({}, {probe_, "trap", marker}), env_, ws_);
  ASSERT_TRUE(WaitFor([&] { return Exists(marker + ".ready"); }, 5)) << p.Wait(1).Describe();
  ASSERT_EQ(kill(p.pid(), sig), 0);
  RunResult r = p.Wait(5);
  EXPECT_EQ(r.exit_code, 100 + sig) << r.Describe();
  ASSERT_TRUE(Exists(marker)) << r.Describe();
  EXPECT_EQ(ReadFile(marker), std::string(sigabbrev_np(sig)) + "\n");
}

INSTANTIATE_TEST_SUITE_P(Signals, SignalTest, ::testing::Values(SIGTERM, SIGINT, SIGHUP),
                         [](const auto& info) { return std::string(sigabbrev_np(info.param)); });

TEST_F(ProcessTest, ExitStatusFollowsTheCommand) {
  EXPECT_EQ(Run({}, {"/bin/sh", "-c", "exit 7"}).exit_code, 7);
  EXPECT_EQ(Run({}, {"/bin/sh", "-c", "exit 0"}).exit_code, 0);
  EXPECT_EQ(Run({}, {"/bin/sh", "-c", "kill -9 $$"}).exit_code, 137);
  EXPECT_EQ(Run({}, {"/bin/sh", "-c", "kill -TERM $$"}).exit_code, 143);
  RunResult missing = Run({}, {"/nonexistent/cordon-it-command"});
  EXPECT_EQ(missing.exit_code, 127) << missing.Describe();
  RunResult missing_path = Run({}, {"cordon-it-no-such-command"});
  EXPECT_EQ(missing_path.exit_code, 127) << missing_path.Describe();
  WriteFile(ws_ + "/not-executable.sh", "#!/bin/sh\necho no\n", 0644);
  RunResult noexec = Run({}, {ws_ + "/not-executable.sh"});
  EXPECT_EQ(noexec.exit_code, 126) << noexec.Describe();
  RunResult bad = Cordon({"run", "--no-such-flag", "--", "true"});
  EXPECT_EQ(bad.exit_code, 125) << bad.Describe();
}

TEST_F(ProcessTest, TerminalWorksForInteractiveCommands) {
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(master, 0);
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(slave, 0);
  std::string script =
      "test -t 0 && test -t 1 && echo IS-A-TTY; read line; echo \"GOT:$line\"; \"$0\" "
      "ioctl-tiocsti";
  Process p(RunArgv({}, {"/bin/sh", "-c", script, probe_}), env_, ws_, slave);
  close(slave);
  std::string seen;
  auto read_until = [&](const std::string& want, double timeout) {
    return WaitFor(
        [&] {
          pollfd pfd{master, POLLIN, 0};
          while (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN) != 0) {
            char buf[512];
            ssize_t n = read(master, buf, sizeof buf);
            if (n <= 0) break;
            seen.append(buf, static_cast<size_t>(n));
          }
          return seen.find(want) != std::string::npos;
        },
        timeout);
  };
  EXPECT_TRUE(read_until("IS-A-TTY", 5)) << seen;
  ASSERT_EQ(write(master, "hello\n", 6), 6);
  EXPECT_TRUE(read_until("GOT:hello", 5)) << seen;
  // TIOCSTI on the user's real terminal: the keystroke-injection attack.
  EXPECT_TRUE(read_until("EPERM", 5)) << seen;
  RunResult r = p.Wait(5);
  close(master);
  EXPECT_EQ(r.exit_code, 1) << r.Describe() << "\nterminal output:\n" << seen;
}

}  // namespace
}  // namespace cordon::it
