// The pre-built seccomp filters (seccomp_prebuilt.h) against libseccomp:
// every variant is compiled here, at test time, with the same rules
// (seccomp_rules.cc), and the program cordon installs must be the same, byte
// for byte. libseccomp's output is a function of the rules and its own
// syscall table, so a difference means a stale or miscompiled table (or a
// libseccomp at test time other than the build's). What the filter does is
// the integration suite's to prove (socket_family_test, process_test ...).
#include "sandbox/linux/seccomp_prebuilt.h"

#include <gtest/gtest.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstring>
#include <iterator>
#include <set>
#include <string>

#include "sandbox/linux/seccomp.h"
#include "sandbox/linux/seccomp_rules.h"

namespace cordon::sandbox::seccomp {
namespace {

TEST(SeccompPrebuiltTest, EveryVariantIsWhatLibseccompCompiles) {
  for (const Options& options : kVariants) {
    SCOPED_TRACE("variant " + std::to_string(VariantKey(options)));
    auto expected = CompileRules(options);
    ASSERT_TRUE(expected.ok()) << expected.error().Describe();
    auto program = Compile(options);
    ASSERT_TRUE(program.ok()) << program.error().Describe();
    ASSERT_EQ(program.value().size(), expected.value().size());
    EXPECT_EQ(std::memcmp(program.value().data(), expected.value().data(),
                          expected.value().size() * sizeof(sock_filter)),
              0);
  }
}

TEST(SeccompPrebuiltTest, VariantsAreDistinct) {
  std::set<uint32_t> keys;
  for (const Options& options : kVariants) {
    EXPECT_TRUE(keys.insert(VariantKey(options)).second) << VariantKey(options);
  }
}

// Each option changes the program (the key misses none of them), and the
// notify variants, only those, carry USER_NOTIF returns.
TEST(SeccompPrebuiltTest, OptionsShapeTheProgram) {
  std::set<std::string> programs;  // as bytes: sock_filter has no operator<
  for (const Options& options : kVariants) {
    auto program = Compile(options);
    ASSERT_TRUE(program.ok()) << program.error().Describe();
    programs.emplace(reinterpret_cast<const char*>(program.value().data()),
                     program.value().size() * sizeof(sock_filter));
    bool notifies = false;
    for (const sock_filter& insn : program.value()) {
      notifies |= insn.code == (BPF_RET | BPF_K) && insn.k == SECCOMP_RET_USER_NOTIF;
    }
    EXPECT_EQ(notifies, options.notify_writes || options.mediate_metadata || options.mediate_inet)
        << VariantKey(options);
  }
  EXPECT_EQ(programs.size(), std::size(kVariants));
}

#ifdef CORDON_SECCOMP_PREBUILT
TEST(SeccompPrebuiltTest, TableHasEveryVariantInOrder) {
  ASSERT_EQ(kPrebuiltCount, std::size(kVariants));
  for (size_t i = 0; i < kPrebuiltCount; ++i) {
    EXPECT_EQ(kPrebuilt[i].key, VariantKey(kVariants[i]));
    EXPECT_FALSE(kPrebuilt[i].program.empty());
  }
}

// Fails closed, naming the fix, for options no plan makes today; libseccomp
// compiles them.
TEST(SeccompPrebuiltTest, UnknownVariantIsRefused) {
  Options odd;
  odd.deny_inet = true;
  auto program = Compile(odd);
  ASSERT_FALSE(program.ok());
  EXPECT_NE(program.error().Describe().find("kVariants"), std::string::npos)
      << program.error().Describe();
  EXPECT_TRUE(CompileRules(odd).ok());
}
#endif

}  // namespace
}  // namespace cordon::sandbox::seccomp
