// cordon doctor end to end: every check passes on a real-looking home (and
// leaves it unchanged), and a sabotaged environment makes the right checks
// FAIL, with a non-zero exit, still without touching ~/.ssh.
#include <sys/stat.h>
#include <sys/xattr.h>

#include "harness.h"

namespace cordon::it {
namespace {

class DoctorTest : public SandboxTest {
 protected:
  DoctorTest() {
    WriteFile(home_ + "/.ssh/config",
              "Include config.d/*\nHost *\n  IdentityFile ~/.ssh/id_ed25519\n"
              "  CertificateFile ~/.ssh/id_ed25519-cert.pub\n  ControlPath ~/.ssh/cm/%r@%h\n",
              0644);
    MakeDirs(home_ + "/.ssh/config.d", 0700);
    MakeDirs(home_ + "/.ssh/cm", 0700);
    WriteFile(home_ + "/.ssh/config.d/work", "Host work\n  IdentityFile ~/keys/work_key\n", 0600);
    MakeDirs(home_ + "/keys", 0700);
    WriteFile(home_ + "/keys/work_key", "-----BEGIN OPENSSH PRIVATE KEY-----\nwork\n", 0600);
    WriteFile(home_ + "/.ssh/id_ed25519-cert.pub", "ssh-ed25519-cert-v01@openssh.com AAAA\n", 0644);
    RunResult acl = Host({"/usr/bin/setfacl", "-m", "u:nobody:r", home_ + "/.ssh/config"});
    EXPECT_EQ(acl.exit_code, 0) << acl.Describe();
    EXPECT_EQ(setxattr((home_ + "/.ssh/id_ed25519").c_str(), "user.cordon-test", "kept", 4, 0), 0);
  }

  RunResult Doctor() { return RunProcess({CordonBin(), "doctor"}, env_, ws_, 120); }

  static bool HasLine(const RunResult& r, const std::string& verdict, const std::string& check) {
    return r.out.find(verdict + "  " + check) != std::string::npos;
  }
};

TEST_F(DoctorTest, AllChecksPassAndTheHomeIsUnchanged) {
  Snapshot before = TakeSnapshot(home_);
  auto doctor_dirs = [this] {
    std::vector<std::string> out;
    for (const std::string& name : ListDir(env_.at("TMPDIR"))) {
      if (name.rfind("cordon-doctor-", 0) == 0) out.push_back(name);
    }
    return out;
  };
  std::vector<std::string> dirs_before = doctor_dirs();
  RunResult r = Doctor();
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  for (const char* check :
       {"1 writes", "2 secret paths", "3 ~/.ssh", "4a offline", "5 resource limits", "6 nothing"}) {
    EXPECT_TRUE(HasLine(r, "PASS", check)) << check << "\n" << r.out;
  }
  EXPECT_TRUE(HasLine(r, "PASS", "4b online")) << r.out;
  // The ssh check saw the files the config depends on, not only ~/.ssh.
  EXPECT_NE(r.out.find("2 private keys"), std::string::npos) << r.out;
  EXPECT_EQ(DiffSnapshots(before, TakeSnapshot(home_)), "");
  // This test's doctor only: concurrent tests run doctors of their own.
  const std::string ours = env_.at("TMPDIR") + "/cordon-doctor-";
  EXPECT_TRUE(WaitFor([&] { return ProcessesWithArg(ours).empty(); }, 5));
  // Doctor's temp workspace is gone.
  EXPECT_TRUE(WaitFor([&] { return doctor_dirs() == dirs_before; }, 5)) << r.err;
}

TEST_F(DoctorTest, AConfigThatReexposesTheHomeFailsAndDamagesNothing) {
  MakeDirs(home_ + "/.config/cordon");
  WriteFile(home_ + "/.config/cordon/config.toml", "mode = \"full-access\"\n");
  Snapshot ssh_before = TakeSnapshot(home_ + "/.ssh");
  Snapshot keys_before = TakeSnapshot(home_ + "/keys");
  RunResult r = Doctor();
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(HasLine(r, "FAIL", "1 writes")) << r.out;
  EXPECT_TRUE(HasLine(r, "FAIL", "2 secret paths")) << r.out;
  EXPECT_NE(r.out.find(home_ + "/.ssh/id_ed25519"), std::string::npos) << r.out;
  EXPECT_TRUE(HasLine(r, "FAIL", "3 ~/.ssh")) << r.out;
  EXPECT_NE(r.out.find("hostile probe was not run"), std::string::npos) << r.out;
  EXPECT_TRUE(HasLine(r, "FAIL", "4a offline")) << r.out;
  EXPECT_TRUE(HasLine(r, "FAIL", "5 resource limits")) << r.out;
  EXPECT_TRUE(HasLine(r, "FAIL", "6 nothing")) << r.out;
  EXPECT_NE(r.out.find("remedy:"), std::string::npos) << r.out;
  // Even against a broken sandbox doctor changed nothing of the user's.
  EXPECT_EQ(DiffSnapshots(ssh_before, TakeSnapshot(home_ + "/.ssh")), "");
  EXPECT_EQ(DiffSnapshots(keys_before, TakeSnapshot(home_ + "/keys")), "");
  // The daemon that outlived the unconfined run was doctor's to kill.
  EXPECT_NE(r.out.find("outlived the run"), std::string::npos) << r.out;
  EXPECT_TRUE(WaitFor(
      [this] { return ProcessesWithArg(env_.at("TMPDIR") + "/cordon-doctor-").empty(); }, 5));
}

TEST_F(DoctorTest, AnUnprotectedPrivateKeyFailsTheSshCheck) {
  ASSERT_EQ(chmod((home_ + "/keys/work_key").c_str(), 0644), 0);
  RunResult r = Doctor();
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(HasLine(r, "FAIL", "3 ~/.ssh")) << r.out;
  EXPECT_NE(r.out.find(home_ + "/keys/work_key (mode 0644)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("chmod 600"), std::string::npos) << r.out;
  EXPECT_TRUE(HasLine(r, "PASS", "2 secret paths")) << r.out;
}

}  // namespace
}  // namespace cordon::it
