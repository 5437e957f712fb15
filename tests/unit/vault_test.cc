// The vault: file format, key derivation and binding, seal/unseal and
// tamper detection, and the on-disk store (permissions, atomic replacement,
// a damaged file kept as is).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "vault/crypto.h"
#include "vault/format.h"
#include "vault/store.h"

namespace cordon::vault {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

TEST(VaultFormat, SecretNames) {
  EXPECT_TRUE(IsValidSecretName("GITHUB_TOKEN"));
  EXPECT_TRUE(IsValidSecretName("_x9"));
  EXPECT_FALSE(IsValidSecretName(""));
  EXPECT_FALSE(IsValidSecretName("9X"));
  EXPECT_FALSE(IsValidSecretName("A-B"));
  EXPECT_FALSE(IsValidSecretName("A=B"));
  EXPECT_FALSE(IsValidSecretName(std::string(129, 'A')));
  EXPECT_TRUE(IsValidSecretName(std::string(128, 'A')));
}

TEST(VaultFormat, RecordsRoundTrip) {
  Secrets s = {{"A", ""}, {"B_2", "multi\nline value"}, {"C", std::string(1000, 'x')}};
  auto parsed = ParseRecords(SerializeRecords(s), "/v");
  ASSERT_TRUE(parsed.ok()) << parsed.error().Describe();
  EXPECT_EQ(parsed.value(), s);
  auto empty = ParseRecords(SerializeRecords({}), "/v");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty.value().empty());
}

TEST(VaultFormat, MalformedRecordsAreErrorsNamingTheFile) {
  std::string good = SerializeRecords({{"A", "1"}, {"B", "2"}});
  for (size_t cut = 0; cut < good.size(); ++cut) {
    auto r = ParseRecords(good.substr(0, cut), "/state/vault/secrets");
    ASSERT_FALSE(r.ok()) << cut;
    EXPECT_NE(r.error().Describe().find("/state/vault/secrets"), std::string::npos);
  }
  EXPECT_FALSE(ParseRecords(good + "x", "/v").ok());  // trailing bytes
  std::string dup = SerializeRecords({{"A", "1"}});
  dup[0] = 2;
  dup += dup.substr(4);
  EXPECT_NE(ParseRecords(dup, "/v").error().Describe().find("duplicate"), std::string::npos);
  std::string bad_name = SerializeRecords({{"A", "1"}});
  bad_name[6] = '-';
  EXPECT_FALSE(ParseRecords(bad_name, "/v").ok());
  std::string nul_value = SerializeRecords({{"A", "1"}});
  nul_value.back() = '\0';
  EXPECT_FALSE(ParseRecords(nul_value, "/v").ok());
}

TEST(VaultFormat, EnvelopeChecksMagicVersionAndLength) {
  for (const EnvelopeFormat* f : {&kUnixFormat, &kWin32Format}) {
    EXPECT_FALSE(ParseEnvelope("", *f, "/v").ok());
    EXPECT_FALSE(ParseEnvelope("not a vault at all, really not", *f, "/v").ok());
    const std::string header = Header(*f);
    const size_t min = f->nonce_size + kTagSize;
    EXPECT_FALSE(ParseEnvelope(header + std::string(min - 1, 'x'), *f, "/v").ok());
    auto e = ParseEnvelope(header + std::string(min + 3, 'x'), *f, "/v");
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e.value().nonce.size(), f->nonce_size);
    EXPECT_EQ(e.value().ciphertext.size(), kTagSize + 3);
    EXPECT_EQ(SerializeEnvelope(e.value(), *f), header + std::string(min + 3, 'x'));
    std::string v9 = header;
    v9.back() = 9;
    EXPECT_NE(
        ParseEnvelope(v9 + std::string(64, 'x'), *f, "/v").error().Describe().find("version 9"),
        std::string::npos);
  }
}

// A vault written on the other platform is named as such, never misread:
// the two formats differ in their version byte (and nonce size).
TEST(VaultFormat, TheOtherPlatformsFileIsNamed) {
  const std::string linux_file = Header(kUnixFormat) + std::string(64, 'x');
  auto on_windows = ParseEnvelope(linux_file, kWin32Format, "C:/state/vault/secrets");
  ASSERT_FALSE(on_windows.ok());
  const std::string said = on_windows.error().Describe();
  EXPECT_NE(said.find("cordon on Linux"), std::string::npos) << said;
  EXPECT_NE(said.find("format 1"), std::string::npos) << said;
  EXPECT_NE(said.find("C:/state/vault/secrets"), std::string::npos) << said;
  EXPECT_NE(said.find("set the secrets again"), std::string::npos) << said;
  const std::string windows_file = Header(kWin32Format) + std::string(64, 'x');
  auto on_linux = ParseEnvelope(windows_file, kUnixFormat, "/v");
  ASSERT_FALSE(on_linux.ok());
  EXPECT_NE(on_linux.error().Describe().find("cordon on Windows"), std::string::npos);
  EXPECT_NE(kUnixFormat.version, kWin32Format.version);
}

TEST(VaultCrypto, ThisBuildSealsItsOwnFormat) {
  EXPECT_EQ(&PlatformFormat(), &kUnixFormat);
  auto key = KeyFromFile(NewKeyFile(Identity{"m", "0"}).value(), Identity{"m", "0"}, "/k");
  ASSERT_TRUE(key.ok());
  const std::string sealed = Seal(key.value(), "x").value();
  EXPECT_EQ(sealed.substr(0, kHeaderSize), Header(kUnixFormat));
}

Key TestKey(const std::string& key_file, const std::string& machine, uid_t uid) {
  auto k = KeyFromFile(key_file, Identity{machine, std::to_string(uid)}, "/k");
  EXPECT_TRUE(k.ok());
  return std::move(k).value();
}

TEST(VaultCrypto, SealUnsealRoundTrip) {
  std::string key_file = NewKeyFile(Identity{}).value();
  Key key = TestKey(key_file, "m1", 1000);
  std::string sealed = Seal(key, "plain text").value();
  EXPECT_EQ(sealed.find("plain text"), std::string::npos);
  auto plain = Unseal(key, sealed, "/v");
  ASSERT_TRUE(plain.ok()) << plain.error().Describe();
  EXPECT_EQ(plain.value(), "plain text");
  // Fresh nonce each time.
  EXPECT_NE(Seal(key, "plain text").value(), sealed);
}

TEST(VaultCrypto, KeyIsBoundToKeyFileMachineAndUid) {
  std::string key_file = NewKeyFile(Identity{}).value();
  std::string other_file = NewKeyFile(Identity{}).value();
  std::string sealed = Seal(TestKey(key_file, "machine-a", 1000), "x").value();
  EXPECT_TRUE(Unseal(TestKey(key_file, "machine-a", 1000), sealed, "/v").ok());
  EXPECT_FALSE(Unseal(TestKey(key_file, "machine-b", 1000), sealed, "/v").ok());
  EXPECT_FALSE(Unseal(TestKey(key_file, "machine-a", 1001), sealed, "/v").ok());
  EXPECT_FALSE(Unseal(TestKey(other_file, "machine-a", 1000), sealed, "/v").ok());
  EXPECT_FALSE(KeyFromFile("short", Identity{"m", "0"}, "/k").ok());
}

TEST(VaultCrypto, EveryFlippedBitIsDetected) {
  Key key = TestKey(NewKeyFile(Identity{}).value(), "m", 0);
  std::string sealed = Seal(key, "secret value").value();
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string t = sealed;
    t[i] = static_cast<char>(t[i] ^ 0x01);
    auto r = Unseal(key, t, "/state/vault/secrets");
    ASSERT_FALSE(r.ok()) << "byte " << i;
    EXPECT_NE(r.error().Describe().find("/state/vault/secrets"), std::string::npos);
  }
  EXPECT_FALSE(Unseal(key, sealed.substr(0, sealed.size() - 1), "/v").ok());
}

class VaultStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cordon-vault-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    paths_ = Paths::ForState(root_);
    ASSERT_EQ(::mkdir(paths_.dir.c_str(), 0700), 0);
  }
  void TearDown() override { fs::remove_all(root_); }

  Store Open(const std::string& machine = "machine") {
    auto s = Store::Open(paths_, Identity{machine, std::to_string(::getuid())});
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().Describe());
    return std::move(s).value();
  }

  std::string root_;
  Paths paths_;
};

TEST_F(VaultStoreTest, MissingKeyPointsToSetup) {
  auto s = Store::Open(paths_, Identity{"m", std::to_string(::getuid())});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().Describe().find("cordon setup"), std::string::npos);
}

TEST_F(VaultStoreTest, EnsureKeyCreatesOnceWith0600) {
  ASSERT_TRUE(EnsureKey(paths_, Identity{"m", std::to_string(::getuid())}).value());
  std::string key = ReadFile(paths_.key);
  EXPECT_EQ(key.size(), MaxKeyFileBytes());
  struct stat st;
  ASSERT_EQ(::stat(paths_.key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_FALSE(EnsureKey(paths_, Identity{"m", std::to_string(::getuid())}).value());
  EXPECT_EQ(ReadFile(paths_.key), key);  // never replaced
}

TEST_F(VaultStoreTest, SetLoadRemove) {
  ASSERT_TRUE(EnsureKey(paths_, Identity{"m", std::to_string(::getuid())}).ok());
  Store store = Open();
  EXPECT_TRUE(store.Load().value().empty());
  ASSERT_TRUE(store.Set("A", "one").ok());
  ASSERT_TRUE(store.Set("B", "two").ok());
  ASSERT_TRUE(store.Set("A", "uno").ok());
  Secrets want = {{"A", "uno"}, {"B", "two"}};
  EXPECT_EQ(Open().Load().value(), want);
  EXPECT_EQ(ReadFile(paths_.secrets).find("uno"), std::string::npos);
  EXPECT_TRUE(store.Remove("A").value());
  EXPECT_FALSE(store.Remove("A").value());
  EXPECT_EQ(store.Load().value(), (Secrets{{"B", "two"}}));
  EXPECT_FALSE(store.Set("bad-name", "x").ok());
  EXPECT_FALSE(store.Set("A", std::string("a\0b", 3)).ok());
  EXPECT_FALSE(fs::exists(paths_.secrets + ".tmp"));
}

TEST_F(VaultStoreTest, OtherMachineIdDoesNotOpenAndNothingIsReset) {
  ASSERT_TRUE(EnsureKey(paths_, Identity{"m", std::to_string(::getuid())}).ok());
  ASSERT_TRUE(Open("machine-a").Set("A", "1").ok());
  std::string before = ReadFile(paths_.secrets);
  Store other = Open("machine-b");
  auto loaded = other.Load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().Describe().find(paths_.secrets), std::string::npos);
  EXPECT_FALSE(other.Set("B", "2").ok());  // no silent reset
  EXPECT_EQ(ReadFile(paths_.secrets), before);
  EXPECT_EQ(Open("machine-a").Load().value(), (Secrets{{"A", "1"}}));
}

TEST_F(VaultStoreTest, TamperedFileIsKept) {
  ASSERT_TRUE(EnsureKey(paths_, Identity{"m", std::to_string(::getuid())}).ok());
  ASSERT_TRUE(Open().Set("A", "1").ok());
  std::string data = ReadFile(paths_.secrets);
  data[data.size() / 2] ^= 0x40;
  WriteFile(paths_.secrets, data);
  Store store = Open();
  auto r = store.Load();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().Describe().find(paths_.secrets), std::string::npos);
  EXPECT_FALSE(store.Set("B", "2").ok());
  EXPECT_FALSE(store.Remove("A").ok());
  EXPECT_EQ(ReadFile(paths_.secrets), data);
}

TEST_F(VaultStoreTest, RefusesAKeyOthersCanRead) {
  ASSERT_TRUE(EnsureKey(paths_, Identity{"m", std::to_string(::getuid())}).ok());
  ASSERT_EQ(::chmod(paths_.key.c_str(), 0644), 0);
  auto s = Store::Open(paths_, Identity{"m", std::to_string(::getuid())});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().Describe().find("too open"), std::string::npos);
  ASSERT_EQ(::chmod(paths_.key.c_str(), 0600), 0);
  ASSERT_EQ(::chmod(paths_.dir.c_str(), 0755), 0);
  EXPECT_FALSE(Store::Open(paths_, Identity{"m", std::to_string(::getuid())}).ok());
}

}  // namespace
}  // namespace cordon::vault
