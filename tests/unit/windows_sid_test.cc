// SHA-256 and the SIDs Windows derives from names, checked against
// published vectors: NIST's SHA-256 examples, the legacy Edge AppContainer
// SID from Microsoft's loopback-exemption documentation, and the capability
// SIDs Chromium's base/win/sid_unittest.cc checks on real Windows.
#include <gtest/gtest.h>

#include <string>

#include "sandbox/windows/sha256.h"
#include "sandbox/windows/sid_derive.h"

namespace cordon::sandbox::windows {
namespace {

std::string Hex(const Sha256Digest& d) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

TEST(WindowsSha256, NistVectors) {
  EXPECT_EQ(Hex(Sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // A message whose padding needs a second block (56 bytes).
  EXPECT_EQ(Hex(Sha256(std::string(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(WindowsSid, AppContainerSidMatchesPublishedSids) {
  Result<std::string> edge = AppContainerSidFromName("Microsoft.MicrosoftEdge_8wekyb3d8bbwe");
  ASSERT_TRUE(edge.ok());
  EXPECT_EQ(edge.value(),
            "S-1-15-2-3624051433-2125758914-1423191267-1740899205-1073925389-3782572162-737981194");
  // The name is lower-cased before hashing.
  EXPECT_EQ(AppContainerSidFromName("MICROSOFT.MICROSOFTEDGE_8WEKYB3D8BBWE").value(), edge.value());
  EXPECT_EQ(AppContainerSidFromName("microsoft.windowscommunicationsapps_8wekyb3d8bbwe").value(),
            "S-1-15-2-2551677095-2355568638-4209445997-2436930744-3692183382-387691378-1866284433");
}

TEST(WindowsSid, AppContainerNamesOutsideTheRuleAreRefused) {
  EXPECT_FALSE(AppContainerSidFromName("").ok());
  EXPECT_FALSE(AppContainerSidFromName(std::string(65, 'a')).ok());
  EXPECT_TRUE(AppContainerSidFromName(std::string(64, 'a')).ok());
  EXPECT_FALSE(AppContainerSidFromName("cordon\\offline").ok());
  EXPECT_FALSE(AppContainerSidFromName("cordon.\xc3\xa9").ok());
  EXPECT_TRUE(AppContainerSidFromName("cordon.offline").ok());
}

TEST(WindowsSid, CapabilitySidMatchesChromiumsVectors) {
  EXPECT_EQ(CapabilitySidFromName("registryRead").value(),
            "S-1-15-3-1024-1065365936-1281604716-3511738428-1654721687-432734479-3232135806-"
            "4053264122-3456934681");
  EXPECT_EQ(CapabilitySidFromName("lpacCryptoServices").value(),
            "S-1-15-3-1024-3203351429-2120443784-2872670797-1918958302-2829055647-4275794519-"
            "765664414-2751773334");
  // Upper-cased before hashing.
  EXPECT_EQ(CapabilitySidFromName("REGISTRYREAD").value(),
            CapabilitySidFromName("registryRead").value());
}

TEST(WindowsSid, LegacyCapabilityNamesAreNotHashed) {
  // Windows maps these to S-1-15-3-1 and friends: a hash would be wrong.
  EXPECT_FALSE(CapabilitySidFromName("internetClient").ok());
  EXPECT_FALSE(CapabilitySidFromName("INTERNETCLIENTSERVER").ok());
  EXPECT_FALSE(CapabilitySidFromName("has space").ok());
  EXPECT_FALSE(CapabilitySidFromName("").ok());
}

TEST(WindowsSid, WorkspaceCapabilityIsStableAndDistinct) {
  const std::string a = WorkspaceCapabilityName("C:\\USERS\\ME\\REPO");
  EXPECT_EQ(a, WorkspaceCapabilityName("C:\\USERS\\ME\\REPO"));
  EXPECT_NE(a, WorkspaceCapabilityName("C:\\USERS\\ME\\OTHER"));
  EXPECT_EQ(a.rfind("cordon.ws.", 0), 0U);
  EXPECT_EQ(a.size(), std::string("cordon.ws.").size() + 16);
  Result<std::string> sid = CapabilitySidFromName(a);
  ASSERT_TRUE(sid.ok());
  EXPECT_TRUE(IsSidString(sid.value()));
}

TEST(WindowsSid, SidStrings) {
  EXPECT_TRUE(IsSidString("S-1-5-32-544"));
  EXPECT_TRUE(IsSidString("S-1-15-3-1024-1-2-3-4-5-6-7-8"));
  EXPECT_FALSE(IsSidString("S-1-5"));  // no sub-authority
  EXPECT_FALSE(IsSidString("S-1-5-"));
  EXPECT_FALSE(IsSidString("S-1-5-4294967296"));       // above 32 bits
  EXPECT_FALSE(IsSidString("S-1-281474976710656-1"));  // authority of 2^48
  EXPECT_FALSE(IsSidString("S-1-5-1-2-3-4-5-6-7-8-9-10-11-12-13-14-15-16"));
  EXPECT_FALSE(IsSidString("BA"));
  EXPECT_FALSE(IsSidString("S-1-5-x"));
  EXPECT_FALSE(IsSidString("S-1-5-32-544)"));
}

}  // namespace
}  // namespace cordon::sandbox::windows
