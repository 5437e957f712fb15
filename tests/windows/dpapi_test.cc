// DPAPI and the RNG: what Protect returns is not the plaintext, reads back
// to it with the same entropy, and does not with other entropy or when
// altered; random draws differ.
#include <windows.h>

#include <string>

#include "check.h"
#include "sandbox/windows/dpapi-win32.h"
#include "sandbox/windows/secure_random-win32.h"

namespace cordon::wintest {
namespace {

namespace dpapi = sandbox::dpapi;

// With a NUL and a non-UTF-8 byte: DPAPI must round-trip bytes, not text.
constexpr char kRaw[] = "vault-key:\x01\x02\x00\xff-cordon";
const std::string kPlaintext(kRaw, sizeof(kRaw) - 1);

void RoundTrip(Test& t) {
  auto blob = dpapi::Protect(kPlaintext, "entropy-A");
  CORDON_CHECK(t, blob.ok(), blob.ok() ? "" : blob.error().Describe());
  if (!blob.ok()) return;
  CORDON_CHECK(t, blob.value() != kPlaintext, "the blob is not the plaintext");
  CORDON_CHECK(t, blob.value().find("vault-key") == std::string::npos,
               "the blob does not contain the plaintext");
  auto back = dpapi::Unprotect(blob.value(), "entropy-A");
  CORDON_CHECK(t, back.ok(), back.ok() ? "" : back.error().Describe());
  CORDON_CHECK(t, back.ok() && back.value() == kPlaintext, "the blob decrypts to the plaintext");
}

void WrongEntropyFails(Test& t) {
  auto blob = dpapi::Protect(kPlaintext, "entropy-A");
  CORDON_CHECK(t, blob.ok(), blob.ok() ? "" : blob.error().Describe());
  if (!blob.ok()) return;
  auto back = dpapi::Unprotect(blob.value(), "entropy-B");
  CORDON_CHECK(t, !back.ok(), "other entropy does not decrypt");
  CORDON_CHECK(t, !back.ok() || back.value() != kPlaintext,
               "other entropy does not give the plaintext");
  if (!back.ok()) {
    CORDON_CHECK(t, back.error().Describe().find("CryptUnprotectData") != std::string::npos,
                 "the error names the call: " + Quoted(back.error().Describe()));
  }
}

void AlteredBlobFails(Test& t) {
  auto blob = dpapi::Protect(kPlaintext, "entropy-A");
  CORDON_CHECK(t, blob.ok(), blob.ok() ? "" : blob.error().Describe());
  if (!blob.ok()) return;
  std::string altered = blob.value();
  altered[altered.size() - 1] = static_cast<char>(altered[altered.size() - 1] ^ 0x01);
  auto back = dpapi::Unprotect(altered, "entropy-A");
  CORDON_CHECK(t, !back.ok() || back.value() != kPlaintext,
               "an altered blob does not give the plaintext");
}

void RandomDrawsDiffer(Test& t) {
  std::string a(32, '\0');
  std::string b(32, '\0');
  CORDON_CHECK(t, sandbox::secure_random::Fill(a.data(), a.size()).ok(), "Fill a");
  CORDON_CHECK(t, sandbox::secure_random::Fill(b.data(), b.size()).ok(), "Fill b");
  CORDON_CHECK(t, a != std::string(32, '\0'), "a draw is not all zero");
  CORDON_CHECK(t, a != b, "two draws differ");
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  return cordon::wintest::RunTests(argc, argv,
                                   {Case{"RoundTrip", cordon::wintest::RoundTrip},
                                    Case{"WrongEntropyFails", cordon::wintest::WrongEntropyFails},
                                    Case{"AlteredBlobFails", cordon::wintest::AlteredBlobFails},
                                    Case{"RandomDrawsDiffer", cordon::wintest::RandomDrawsDiffer}});
}
