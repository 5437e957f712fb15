// The session sandbox's wire format: what `cordon mcp` encodes, init
// decodes in place, and anything else is refused.
#include "sandbox/session_wire.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstring>
#include <string>
#include <vector>

namespace cordon::sandbox::session {
namespace {

struct Decoded {
  bool ok = false;
  Request req;
  std::vector<std::string> argv;
  std::vector<std::string> env;
  bool own_env = false;  // req.envp was set (it points into DecodeCopy's buffer: gone)
  std::string cwd;
};

Decoded DecodeCopy(std::string bytes, size_t max_args = kMaxArgs) {
  Decoded d;
  std::vector<char*> argv(max_args + 2, nullptr);
  d.ok = Decode(bytes.data(), bytes.size(), &d.req, argv.data(), max_args);
  if (d.ok && d.req.op == Op::kExec) {
    d.cwd = d.req.cwd;
    for (size_t i = 0; i < d.req.argc; ++i) d.argv.emplace_back(argv[i]);
    EXPECT_EQ(argv[d.req.argc], nullptr);
    d.own_env = d.req.envp != nullptr;
    for (char** e = d.req.envp; e != nullptr && *e != nullptr; ++e) d.env.emplace_back(*e);
  }
  return d;
}

TEST(SessionWire, ExecRoundTrips) {
  std::vector<std::string> argv = {"/bin/sh", "-c", "echo 'a b'", ""};
  Decoded d = DecodeCopy(EncodeExec(42, "/work/ws/sub", argv));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.req.op, Op::kExec);
  EXPECT_EQ(d.req.id, 42u);
  EXPECT_EQ(d.cwd, "/work/ws/sub");
  EXPECT_EQ(d.argv, argv);
}

TEST(SessionWire, ExecWithEnvironmentRoundTrips) {
  std::vector<std::string> argv = {"make", "test"};
  std::vector<std::string> env = {"PATH=/usr/bin", "EMPTY=", "TMPDIR=/tmp"};
  Decoded d = DecodeCopy(EncodeExec(5, "/ws", argv, env, kOwnEnvironment | kSessionVariables));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.argv, argv);
  EXPECT_EQ(d.env, env);
  EXPECT_EQ(d.req.flags, kOwnEnvironment | kSessionVariables);
  // An empty environment is one too: the command gets nothing.
  Decoded empty = DecodeCopy(EncodeExec(5, "/ws", argv, {}, kOwnEnvironment));
  ASSERT_TRUE(empty.ok);
  EXPECT_TRUE(empty.own_env);
  EXPECT_TRUE(empty.env.empty());
  // Without the flag, the session's own environment (no envp).
  Decoded inherited = DecodeCopy(EncodeExec(5, "/ws", argv));
  ASSERT_TRUE(inherited.ok);
  EXPECT_FALSE(inherited.own_env);
  // argv and the environment share kMaxArgs.
  EXPECT_EQ(EncodeExec(1, "/ws", {"x"}, std::vector<std::string>(kMaxArgs, "A=1"), kOwnEnvironment),
            "");
  EXPECT_FALSE(DecodeCopy(EncodeExec(1, "/ws", {"x", "y"}, {"A=1"}, kOwnEnvironment), 2).ok);
  EXPECT_EQ(EncodeExec(1, "/ws", {"x"}, {"A=1"}), "");  // env without the flag
  EXPECT_EQ(EncodeExec(1, "/ws", {"x"}, {}, 64), "");   // an unknown flag
}

TEST(SessionWire, SignalRoundTrips) {
  Decoded d = DecodeCopy(EncodeSignal(9, SIGINT));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.req.op, Op::kSignal);
  EXPECT_EQ(d.req.id, 9u);
  EXPECT_EQ(d.req.signal, SIGINT);
  EXPECT_FALSE(DecodeCopy(EncodeSignal(9, 0)).ok);
  EXPECT_FALSE(DecodeCopy(EncodeSignal(9, 200)).ok);
}

TEST(SessionWire, KillRoundTrips) {
  Decoded d = DecodeCopy(EncodeKill(7));
  ASSERT_TRUE(d.ok);
  EXPECT_EQ(d.req.op, Op::kKill);
  EXPECT_EQ(d.req.id, 7u);
}

TEST(SessionWire, EncodeRefusesWhatDoesNotFit) {
  EXPECT_EQ(EncodeExec(1, "/ws", {}), "");
  EXPECT_EQ(EncodeExec(1, "/ws", {std::string("a\0b", 3)}), "");
  EXPECT_EQ(EncodeExec(1, "/ws", {std::string(kMaxRequestBytes, 'x')}), "");
  EXPECT_EQ(EncodeExec(1, "/ws", std::vector<std::string>(kMaxArgs + 1, "x")), "");
  EXPECT_NE(EncodeExec(1, "/ws", std::vector<std::string>(kMaxArgs, "x")), "");
}

TEST(SessionWire, DecodeRefusesMalformedMessages) {
  std::string good = EncodeExec(3, "/ws", {"ls", "-l"});
  ASSERT_TRUE(DecodeCopy(good).ok);
  EXPECT_FALSE(DecodeCopy("").ok);
  EXPECT_FALSE(DecodeCopy(good.substr(0, sizeof(RequestHeader) - 1)).ok);
  EXPECT_FALSE(DecodeCopy(good.substr(0, good.size() - 1)).ok);  // last NUL cut
  EXPECT_FALSE(DecodeCopy(good + "x").ok);                       // trailing bytes
  EXPECT_FALSE(DecodeCopy(good + std::string(1, '\0')).ok);      // an extra string
  std::string bad_magic = good;
  bad_magic[0] ^= 1;
  EXPECT_FALSE(DecodeCopy(bad_magic).ok);
  std::string relative = EncodeExec(3, "ws", {"ls"});
  EXPECT_FALSE(DecodeCopy(relative).ok);  // cwd must be absolute
  EXPECT_FALSE(DecodeCopy(good, 1).ok);   // more args than room
  std::string kill = EncodeKill(1);
  EXPECT_FALSE(DecodeCopy(kill + "x").ok);
  RequestHeader h;
  h.op = 9;
  EXPECT_FALSE(DecodeCopy(std::string(reinterpret_cast<const char*>(&h), sizeof(h))).ok);
}

}  // namespace
}  // namespace cordon::sandbox::session
