// The vault's cryptography on Windows (crypto.h), with CNG and DPAPI
// (libsodium has no mingw package): a random 256-bit key from
// BCryptGenRandom, kept in the key file under DPAPI (machine scope inside
// user scope, with entropy binding it to the machine id and the user's
// SID), and AES-256-GCM with a fresh 96-bit nonce per seal (format 2).
#include <windows.h>
// (after windows.h, which they need)
#include <bcrypt.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "sandbox/windows/dpapi-win32.h"
#include "sandbox/windows/secure_random-win32.h"
#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/win_error-win32.h"
#include "vault/crypto.h"
#include "vault/token_user-win32.h"

namespace cordon::vault {

namespace {

namespace dpapi = sandbox::dpapi;
using sandbox::WinError;

// The key file: this magic, then the user-scope DPAPI blob of the
// machine-scope blob of the 32-byte key. A Unix key file (32 raw bytes)
// does not start with it.
constexpr std::string_view kKeyMagic{"CRDNKEY\x02", 8};
constexpr std::string_view kContext{"cordon vault key v1\0", 20};
constexpr size_t kMaxKeyFile = 8192;
// STATUS_AUTH_TAG_MISMATCH: BCryptDecrypt's answer to a forged or damaged
// ciphertext (or another key).
constexpr NTSTATUS kAuthTagMismatch = static_cast<NTSTATUS>(0xC000A002L);

std::string Entropy(const Identity& id) {
  std::string e(kContext);
  e += id.machine_id;
  e.push_back('\0');
  e += id.user;
  return e;
}

Error CngError(const char* op, const char* object, NTSTATUS status) {
  return WinError(op, object, static_cast<DWORD>(status));
}

// An AES-256-GCM key object over `key`; destroyed with its provider.
class GcmKey {
 public:
  GcmKey() = default;
  GcmKey(const GcmKey&) = delete;
  GcmKey& operator=(const GcmKey&) = delete;
  ~GcmKey() {
    if (key_ != nullptr) BCryptDestroyKey(key_);
    if (alg_ != nullptr) BCryptCloseAlgorithmProvider(alg_, 0);
  }

  [[nodiscard]] Status Open(const Key& key) {
    NTSTATUS st = BCryptOpenAlgorithmProvider(&alg_, BCRYPT_AES_ALGORITHM, nullptr, 0);
    if (st < 0) return CngError("BCryptOpenAlgorithmProvider", "AES", st);
    st = BCryptSetProperty(alg_, BCRYPT_CHAINING_MODE,
                           reinterpret_cast<PUCHAR>(const_cast<wchar_t*>(BCRYPT_CHAIN_MODE_GCM)),
                           sizeof(BCRYPT_CHAIN_MODE_GCM), 0);
    if (st < 0) return CngError("BCryptSetProperty", "BCRYPT_CHAIN_MODE_GCM", st);
    st = BCryptGenerateSymmetricKey(alg_, &key_, nullptr, 0, const_cast<PUCHAR>(key.data()),
                                    static_cast<ULONG>(Key::size()), 0);
    if (st < 0) return CngError("BCryptGenerateSymmetricKey", "AES-256", st);
    return {};
  }
  [[nodiscard]] BCRYPT_KEY_HANDLE get() const { return key_; }

 private:
  BCRYPT_ALG_HANDLE alg_ = nullptr;
  BCRYPT_KEY_HANDLE key_ = nullptr;
};

// The GCM parameters: nonce, additional data and tag, pointing into the
// caller's strings.
BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO GcmInfo(std::string& nonce, std::string& ad,
                                              std::string& tag) {
  BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO info;
  BCRYPT_INIT_AUTH_MODE_INFO(info);
  info.pbNonce = reinterpret_cast<PUCHAR>(nonce.data());
  info.cbNonce = static_cast<ULONG>(nonce.size());
  info.pbAuthData = reinterpret_cast<PUCHAR>(ad.data());
  info.cbAuthData = static_cast<ULONG>(ad.size());
  info.pbTag = reinterpret_cast<PUCHAR>(tag.data());
  info.cbTag = static_cast<ULONG>(tag.size());
  return info;
}

}  // namespace

const EnvelopeFormat& PlatformFormat() { return kWin32Format; }

size_t MaxKeyFileBytes() { return kMaxKeyFile; }

void Wipe(void* p, size_t size) { SecureZeroMemory(p, size); }

Result<Identity> Identity::FromHost() {
  Identity id;
  auto sid = CurrentUserSid();
  if (!sid.ok()) return sid.error();
  id.user = sid.value();
  if (const char* test = std::getenv("CORDON_TEST_MACHINE_ID"); test != nullptr && *test != '\0') {
    id.machine_id = test;
    return id;
  }
  wchar_t guid[64];
  DWORD size = sizeof guid;
  const LSTATUS st =
      RegGetValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Microsoft\\Cryptography", L"MachineGuid",
                   RRF_RT_REG_SZ | RRF_SUBKEY_WOW6464KEY, nullptr, guid, &size);
  if (st != ERROR_SUCCESS) {
    Error e = WinError("RegGetValueW", "HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MachineGuid",
                       static_cast<DWORD>(st));
    e.hint = "the vault key is bound to the machine's MachineGuid, which Windows sets at install";
    return e;
  }
  id.machine_id = sandbox::Narrow(guid);
  return id;
}

Result<std::string> NewKeyFile(const Identity& id) {
  Key key;
  CORDON_RETURN_IF_ERROR(sandbox::secure_random::Fill(key.data(), Key::size()));
  const std::string entropy = Entropy(id);
  const std::string_view raw(reinterpret_cast<const char*>(key.data()), Key::size());
  auto inner = dpapi::Protect(raw, entropy, dpapi::Scope::kMachine);
  if (!inner.ok()) return inner.error();
  auto outer = dpapi::Protect(inner.value(), entropy, dpapi::Scope::kUser);
  if (!outer.ok()) return outer.error();
  return std::string(kKeyMagic) + outer.value();
}

Result<Key> KeyFromFile(std::string_view key_file, const Identity& id, const std::string& path) {
  if (key_file.substr(0, kKeyMagic.size()) != kKeyMagic) {
    Error e = PlainError("vault", path, "not a cordon for Windows key file (bad magic)");
    e.hint = "the file was kept as is; a key file made elsewhere does not open here";
    return e;
  }
  key_file.remove_prefix(kKeyMagic.size());
  const std::string entropy = Entropy(id);
  auto inner = dpapi::Unprotect(key_file, entropy, dpapi::Scope::kUser);
  auto raw = inner.ok() ? dpapi::Unprotect(inner.value(), entropy, dpapi::Scope::kMachine)
                        : Result<std::string>(inner.error());
  if (!raw.ok()) {
    Error e = PlainError("vault", path,
                         "DPAPI cannot unprotect the key: it was protected on another machine or "
                         "for another user, or the file was altered (" +
                             raw.error().Describe() + ")");
    e.hint = "the file was kept as is; nothing was reset";
    return e;
  }
  Key key;
  const bool sized = raw.value().size() == Key::size();
  if (sized) std::memcpy(key.data(), raw.value().data(), Key::size());
  Wipe(raw.value().data(), raw.value().size());
  if (!sized) return PlainError("vault", path, "the protected key is not 32 bytes; it was kept");
  return key;
}

Result<std::string> Seal(const Key& key, std::string_view plain) {
  GcmKey gcm;
  CORDON_RETURN_IF_ERROR(gcm.Open(key));
  Envelope e;
  e.nonce.assign(kWin32Format.nonce_size, '\0');
  // A random 96-bit nonce per seal: the vault is rewritten a handful of
  // times per secret, far below GCM's 2^32 random-nonce bound per key.
  CORDON_RETURN_IF_ERROR(sandbox::secure_random::Fill(e.nonce.data(), e.nonce.size()));
  std::string ad = Header(kWin32Format);
  std::string tag(kTagSize, '\0');
  BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO info = GcmInfo(e.nonce, ad, tag);
  std::string out(plain.size(), '\0');
  ULONG written = 0;
  const NTSTATUS st = BCryptEncrypt(
      gcm.get(), reinterpret_cast<PUCHAR>(const_cast<char*>(plain.data())),
      static_cast<ULONG>(plain.size()), &info, nullptr, 0, reinterpret_cast<PUCHAR>(out.data()),
      static_cast<ULONG>(out.size()), &written, 0);
  if (st < 0) return CngError("BCryptEncrypt", "AES-256-GCM", st);
  out.resize(written);
  e.ciphertext = out + tag;
  return SerializeEnvelope(e, kWin32Format);
}

Result<std::string> Unseal(const Key& key, std::string_view file, const std::string& path) {
  auto envelope = ParseEnvelope(file, kWin32Format, path);
  if (!envelope.ok()) return envelope.error();
  Envelope& e = envelope.value();
  GcmKey gcm;
  CORDON_RETURN_IF_ERROR(gcm.Open(key));
  const size_t body = e.ciphertext.size() - kTagSize;
  std::string tag = e.ciphertext.substr(body);
  std::string ad = Header(kWin32Format);
  BCRYPT_AUTHENTICATED_CIPHER_MODE_INFO info = GcmInfo(e.nonce, ad, tag);
  std::string plain(body, '\0');
  ULONG written = 0;
  const NTSTATUS st = BCryptDecrypt(gcm.get(), reinterpret_cast<PUCHAR>(e.ciphertext.data()),
                                    static_cast<ULONG>(body), &info, nullptr, 0,
                                    reinterpret_cast<PUCHAR>(plain.data()),
                                    static_cast<ULONG>(plain.size()), &written, 0);
  if (st == kAuthTagMismatch) return NotAuthentic(path);
  if (st < 0) return CngError("BCryptDecrypt", "AES-256-GCM", st);
  plain.resize(written);
  return plain;
}

}  // namespace cordon::vault
