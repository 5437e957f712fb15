// `cordon session`'s messages: what the client encodes the daemon decodes,
// and anything else is refused; where a workspace's socket is.
#include "cli/session_protocol.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace cordon::cli::session {
namespace {

TEST(SessionProtocol, RunRequestRoundTrips) {
  Request r;
  r.op = Op::kRun;
  r.version = "0.1.0";
  r.cwd = "/home/me/app/src";
  r.options = {"--net", "proxy", "--session", ""};
  r.env = {"PATH=/usr/bin", "EMPTY="};
  r.argv = {"make", "-j4"};
  std::optional<Request> d = DecodeRequest(Encode(r));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->op, Op::kRun);
  EXPECT_EQ(d->version, r.version);
  EXPECT_EQ(d->cwd, r.cwd);
  EXPECT_EQ(d->options, r.options);
  EXPECT_EQ(d->env, r.env);
  EXPECT_EQ(d->argv, r.argv);

  Request sig;
  sig.op = Op::kSignal;
  sig.arg = 2;
  d = DecodeRequest(Encode(sig));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->op, Op::kSignal);
  EXPECT_EQ(d->arg, 2u);
}

TEST(SessionProtocol, ReplyRoundTrips) {
  Reply r{ReplyKind::kEnded, 7 << 8, "denied example.com:443\n"};
  std::optional<Reply> d = DecodeReply(Encode(r));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kind, ReplyKind::kEnded);
  EXPECT_EQ(d->status, r.status);
  EXPECT_EQ(d->text, r.text);
}

TEST(SessionProtocol, EncodeRefusesWhatDoesNotFit) {
  Request r;
  r.op = Op::kRun;
  r.argv = {std::string("a\0b", 3)};
  EXPECT_EQ(Encode(r), "");
  r.argv = {std::string(kMaxMessageBytes, 'x')};
  EXPECT_EQ(Encode(r), "");
}

TEST(SessionProtocol, DecodeRefusesMalformedMessages) {
  Request r;
  r.op = Op::kRun;
  r.cwd = "/ws";
  r.argv = {"ls"};
  const std::string good = Encode(r);
  ASSERT_TRUE(DecodeRequest(good));
  EXPECT_FALSE(DecodeRequest(""));
  EXPECT_FALSE(DecodeRequest(good.substr(0, 8)));
  EXPECT_FALSE(DecodeRequest(good.substr(0, good.size() - 1)));  // last NUL cut
  EXPECT_FALSE(DecodeRequest(good + "x"));                       // trailing bytes
  EXPECT_FALSE(DecodeRequest(good + std::string(1, '\0')));      // one string too many
  std::string bad_magic = good;
  bad_magic[0] ^= 1;
  EXPECT_FALSE(DecodeRequest(bad_magic));
  std::string bad_op = good;
  const uint32_t op = 99;
  std::memcpy(bad_op.data() + 4, &op, sizeof(op));
  EXPECT_FALSE(DecodeRequest(bad_op));
  // Counts that promise more strings than bytes.
  std::string huge = good;
  const uint32_t many = 0xffffffffu;
  std::memcpy(huge.data() + 12, &many, sizeof(many));
  EXPECT_FALSE(DecodeRequest(huge));
  // A reply is not a request, nor the other way round.
  EXPECT_FALSE(DecodeReply(good));
  EXPECT_FALSE(DecodeRequest(Encode(Reply{ReplyKind::kInfo, 0, "x"})));
}

TEST(SessionProtocol, SocketIsPerWorkspaceInTheStateDirectory) {
  const std::string a = SocketPath("/home/me/.local/state/cordon", "/home/me/app");
  const std::string b = SocketPath("/home/me/.local/state/cordon", "/home/me/app2");
  EXPECT_EQ(a.rfind("/home/me/.local/state/cordon/sessions/", 0), 0u) << a;
  EXPECT_EQ(a.substr(a.size() - 5), ".sock");
  EXPECT_NE(a, b);
  EXPECT_EQ(a, SocketPath("/home/me/.local/state/cordon", "/home/me/app"));
}

}  // namespace
}  // namespace cordon::cli::session
