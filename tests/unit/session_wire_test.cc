// The session sandbox's wire format: what `cordon mcp` encodes, init
// decodes in place, and anything else is refused.
#include "sandbox/session_wire.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace cordon::sandbox::session {
namespace {

struct Decoded {
  bool ok = false;
  Request req;
  std::vector<std::string> argv;
  std::string cwd;
};

Decoded DecodeCopy(std::string bytes, size_t max_args = kMaxArgs) {
  Decoded d;
  std::vector<char*> argv(max_args + 1, nullptr);
  d.ok = Decode(bytes.data(), bytes.size(), &d.req, argv.data(), max_args);
  if (d.ok && d.req.op == Op::kExec) {
    d.cwd = d.req.cwd;
    for (size_t i = 0; i < d.req.argc; ++i) d.argv.emplace_back(argv[i]);
    EXPECT_EQ(argv[d.req.argc], nullptr);
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
