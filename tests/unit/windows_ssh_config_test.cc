// The paths an OpenSSH client configuration names, which no grant root may
// be or contain: file directives, Include patterns, explicit paths in
// command directives; "none", comments and quoting handled.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sandbox/windows/ssh_config_paths.h"

namespace cordon::sandbox::windows {
namespace {

constexpr char kProfile[] = "C:\\Users\\me";
constexpr char kSsh[] = "C:\\Users\\me\\.ssh";

TEST(WindowsSshConfig, FileDirectivesAndHomeForms) {
  const SshConfigPaths p = SshConfigPathsOf(
      "Host devbox\n"
      "  IdentityFile ~/.keys/id_ed25519\n"
      "  CertificateFile %d/.certs/devbox-cert.pub\n"
      "  UserKnownHostsFile ${HOME}/.known_hosts_custom D:\\keys\\known_hosts\n"
      "  ControlPath ~/.ssh/control-%h-%p-%r\n"
      "  identityfile=\"C:\\Key Dir\\id_rsa\"  # a comment\n"
      "  IdentityAgent none\n"
      "  HostName ~/not-a-path\n",
      kProfile, kSsh);
  EXPECT_EQ(p.paths, (std::vector<std::string>{
                         "C:\\Users\\me\\.keys/id_ed25519", "C:\\Users\\me\\.certs/devbox-cert.pub",
                         "C:\\Users\\me\\.known_hosts_custom", "D:\\keys\\known_hosts",
                         "C:\\Users\\me\\.ssh", "C:\\Key Dir\\id_rsa"}));
  EXPECT_TRUE(p.includes.empty());
}

TEST(WindowsSshConfig, IncludesAndCommands) {
  const SshConfigPaths p = SshConfigPathsOf(
      "Include conf.d/*.conf\n"
      "Include = ~/.ssh-extra/base.conf\n"
      "Host x\n"
      "  ProxyCommand ~/.helpers/proxy --state ${HOME}/.proxy-state %h %p\n"
      "  IdentityFile relative_key\n",
      kProfile, kSsh);
  EXPECT_EQ(p.includes, (std::vector<std::string>{"C:\\Users\\me\\.ssh\\conf.d/*.conf",
                                                  "C:\\Users\\me\\.ssh-extra/base.conf"}));
  EXPECT_EQ(p.paths, (std::vector<std::string>{
                         "C:\\Users\\me\\.ssh\\conf.d", "C:\\Users\\me\\conf.d",
                         "C:\\Users\\me\\.ssh-extra/base.conf", "C:\\Users\\me\\.helpers/proxy",
                         "C:\\Users\\me\\.proxy-state", "C:\\Users\\me\\.ssh\\relative_key",
                         "C:\\Users\\me\\relative_key"}));
}

TEST(WindowsSshConfig, OddInputYieldsNothingRatherThanFailing) {
  EXPECT_TRUE(SshConfigPathsOf("", kProfile, kSsh).paths.empty());
  EXPECT_TRUE(
      SshConfigPathsOf("IdentityFile\n=\n\"\n#x\nIdentityFile \"", kProfile, kSsh).paths.empty());
}

}  // namespace
}  // namespace cordon::sandbox::windows
