// Approvals, the pure parts: policy names and strictness, trusted-command
// prefixes, the question wire format, and the config edit that saves
// "always" answers (comments and layout kept, result parsed again), and
// the terminal channel's words and keys that Linux and Windows share.
#include "policy/approval.h"

#include <gtest/gtest.h>

#include "approval/config_edit.h"
#include "approval/question.h"
#include "approval/terminal_prompt.h"
#include "policy/config_file.h"

namespace cordon {
namespace {

using approval::AddNetworkAllow;

std::vector<std::string> Allow(const std::string& text) {
  auto l = policy::ParseConfig(text, "/c.toml", policy::ConfigKind::kUser);
  EXPECT_TRUE(l.ok()) << text;
  std::vector<std::string> out;
  if (l.ok())
    for (const auto& s : l.value().net_allow) out.push_back(s.value);
  return out;
}

std::string Added(const std::string& text) {
  auto r = AddNetworkAllow(text, "api.example.com:443", "added by cordon: why");
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().Describe());
  return r.ok() ? r.value() : "";
}

TEST(Approval, NamesRoundTripAndStrictnessOrder) {
  for (auto a : {policy::Approval::kNever, policy::Approval::kOnFailure,
                 policy::Approval::kOnRequest, policy::Approval::kUntrusted}) {
    EXPECT_EQ(policy::ParseApproval(policy::ApprovalName(a)), a);
  }
  EXPECT_FALSE(policy::ParseApproval("always"));
  EXPECT_LT(policy::Strictness(policy::Approval::kOnRequest),
            policy::Strictness(policy::Approval::kOnFailure));
  EXPECT_LT(policy::Strictness(policy::Approval::kUntrusted),
            policy::Strictness(policy::Approval::kNever));
}

TEST(Approval, TrustedPrefixesMatchWholeWords) {
  std::vector<std::string> trusted = {"git status", "ls", "rg"};
  EXPECT_TRUE(policy::IsTrustedCommand({"git", "status", "-s"}, trusted));
  EXPECT_TRUE(policy::IsTrustedCommand({"/bin/ls", "-l"}, trusted));
  EXPECT_FALSE(policy::IsTrustedCommand({"git", "push"}, trusted));
  EXPECT_FALSE(policy::IsTrustedCommand({"git"}, trusted));
  EXPECT_FALSE(policy::IsTrustedCommand({"lsblk"}, trusted));
  EXPECT_FALSE(policy::IsTrustedCommand({"git", "statusx"}, trusted));
  EXPECT_FALSE(policy::IsTrustedCommand({}, trusted));
}

TEST(Approval, DescribeCommandQuotesAndEscapes) {
  EXPECT_EQ(policy::DescribeCommand({"curl", "-s", "https://x.test/a b"}),
            "curl -s 'https://x.test/a b'");
  EXPECT_EQ(policy::DescribeCommand({"echo", "a\nb"}), "echo 'a\\x0ab'");
  EXPECT_EQ(policy::DescribeCommand({std::string(300, 'x')}).size(), 203u);
}

TEST(Approval, QuestionWireFormatRoundTripsAndRejectsJunk) {
  approval::Question q;
  q.kind = approval::Question::Kind::kNetworkRerun;
  q.host = "api.example.com";
  q.port = 443;
  q.command = "curl x";
  q.reason = "because";
  auto back = approval::DecodeQuestion(approval::EncodeQuestion(q));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->Prompt(), q.Prompt());
  EXPECT_FALSE(approval::DecodeQuestion("{\"kind\":\"network\"}"));
  EXPECT_FALSE(approval::DecodeQuestion("not json"));
  // A session sandbox's question names its connection; both ends or none.
  q.kind = approval::Question::Kind::kNetwork;
  q.client = "127.0.0.1:40000";
  q.proxy = "127.0.0.1:3128";
  back = approval::DecodeQuestion(approval::EncodeQuestion(q));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->client, q.client);
  EXPECT_EQ(back->proxy, q.proxy);
  std::string line = approval::EncodeQuestion(q);
  line.replace(line.find("\"proxy\""), 7, "\"proxx\"");
  EXPECT_FALSE(approval::DecodeQuestion(line));
  EXPECT_EQ(approval::DecodeReply(approval::EncodeReply(approval::Reply::kSession)),
            approval::Reply::kSession);
  EXPECT_FALSE(approval::DecodeReply("{\"answer\":\"yes please\"}"));
}

TEST(ConfigEdit, AppendsToAMultiLineArrayKeepingComments) {
  std::string text =
      "# my config\nmode = \"workspace-write\"\n\n[network]\n# the hosts I use\nallow = [\n"
      "  \"github.com\",  # code\n  \"pypi.org\"\n]\nmode = \"proxy\"\n";
  std::string out = Added(text);
  EXPECT_NE(out.find("# my config"), std::string::npos);
  EXPECT_NE(out.find("# the hosts I use"), std::string::npos);
  EXPECT_NE(out.find("\"github.com\",  # code"), std::string::npos);
  EXPECT_NE(out.find("  # added by cordon: why\n  \"api.example.com:443\",\n]"), std::string::npos)
      << out;
  EXPECT_EQ(Allow(out),
            (std::vector<std::string>{"github.com", "pypi.org", "api.example.com:443"}));
}

TEST(ConfigEdit, ExtendsAOneLineArrayAndAnEmptyOne) {
  EXPECT_EQ(Allow(Added("[network]\nallow = [\"a.test\", \"b.test\"]  # mine\n")),
            (std::vector<std::string>{"a.test", "b.test", "api.example.com:443"}));
  EXPECT_EQ(Allow(Added("[network]\nallow = []\n")),
            (std::vector<std::string>{"api.example.com:443"}));
  EXPECT_EQ(Allow(Added("[network]\nallow = [\"a.test\",]\n")),
            (std::vector<std::string>{"a.test", "api.example.com:443"}));
  // A ']' inside a string or comment is not the end of the array.
  EXPECT_EQ(Allow(Added("[network]\nallow = [\"a.test\", # x]\n \"b.test\"]\n")),
            (std::vector<std::string>{"a.test", "b.test", "api.example.com:443"}));
}

TEST(ConfigEdit, AddsTheKeyOrTheTable) {
  std::string with_table = Added("[network]\nmode = \"proxy\"\n\n[env]\npass = [\"CI\"]\n");
  EXPECT_EQ(Allow(with_table), (std::vector<std::string>{"api.example.com:443"}));
  EXPECT_NE(with_table.find("pass = [\"CI\"]"), std::string::npos);
  std::string none = Added("mode = \"read-only\"  # keep\n");
  EXPECT_NE(none.find("mode = \"read-only\"  # keep\n"), std::string::npos);
  EXPECT_NE(none.find("[network]\n# added by cordon: why\nallow = [\"api.example.com:443\"]\n"),
            std::string::npos);
  EXPECT_EQ(Allow(Added("")), (std::vector<std::string>{"api.example.com:443"}));
  // Already there: unchanged.
  std::string has = "[network]\nallow = [\"api.example.com:443\"]\n";
  EXPECT_EQ(Added(has), has);
}

TEST(ConfigEdit, RefusesWhatItCannotEditSafely) {
  EXPECT_FALSE(AddNetworkAllow("network.allow = [\"a.test\"]\n", "b.test:443", "c").ok());
  EXPECT_FALSE(AddNetworkAllow("network = { allow = [] }\n", "b.test:443", "c").ok());
  EXPECT_FALSE(AddNetworkAllow("[network\n", "b.test:443", "c").ok());
  EXPECT_FALSE(AddNetworkAllow("[network]\nallow = \"x\"\n", "b.test:443", "c").ok());
  // A comment cannot smuggle a second line into the file.
  auto r = AddNetworkAllow("", "b.test:443", "c\n[secrets]\nX = { env = \"Y\" }");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().find("\n[secrets]"), std::string::npos);
}

}  // namespace
}  // namespace cordon

namespace cordon {
namespace {

using approval::Question;
using approval::Reply;

TEST(ApprovalTerminalPrompt, KeysAnswerAndAlwaysOnlyWhenOffered) {
  EXPECT_EQ(approval::TerminalAnswer('o', true), Reply::kOnce);
  EXPECT_EQ(approval::TerminalAnswer('Y', true), Reply::kOnce);
  EXPECT_EQ(approval::TerminalAnswer('s', false), Reply::kSession);
  EXPECT_EQ(approval::TerminalAnswer('A', true), Reply::kAlways);
  EXPECT_EQ(approval::TerminalAnswer('a', false), std::nullopt);
  EXPECT_EQ(approval::TerminalAnswer('d', true), Reply::kDeny);
  EXPECT_EQ(approval::TerminalAnswer('n', true), Reply::kDeny);
  EXPECT_EQ(approval::TerminalAnswer('x', true), std::nullopt);
  EXPECT_EQ(approval::TerminalAnswer('\0', true), std::nullopt);
}

TEST(ApprovalTerminalPrompt, QuestionNamesChoicesDeadlineAndEscapesTheSubject) {
  Question q;
  q.host = "api.example.com";
  q.port = 443;
  q.command = "curl \x1b[2Kx";
  const std::string choices = approval::TerminalChoices(q, "saved in /c.toml");
  EXPECT_EQ(choices, "[o]nce, [s]ession, [a]lways (saved in /c.toml), [d]eny");
  const std::string text = approval::TerminalQuestion(q, choices, 1500);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_NE(text.find("cordon: allow api.example.com:443 for `curl \\x1b[2Kx`?"), std::string::npos)
      << text;
  EXPECT_NE(text.find("(denied in 2 s without an answer): "), std::string::npos) << text;
  q.offer_always = false;
  EXPECT_EQ(approval::TerminalChoices(q, "saved in /c.toml"), "[o]nce, [s]ession, [d]eny");
}

}  // namespace
}  // namespace cordon
