// The vault's cryptography on Unix (crypto.h): libsodium's BLAKE2b key
// derivation from the 32-byte key file, the machine id and the uid, and
// XChaCha20-Poly1305 (format 1).
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include <utility>

#include "common/unique_fd.h"
#include "vault/crypto.h"

namespace cordon::vault {

namespace {

constexpr std::string_view kContext{"cordon vault key v1\0", 20};

// The first line of a machine-id file, or empty.
std::string ReadMachineId(const char* path, int* err) {
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) {
    *err = errno;
    return {};
  }
  char buf[128];
  ssize_t n = ::read(fd.get(), buf, sizeof buf);
  if (n < 0) {
    *err = errno;
    return {};
  }
  std::string id(buf, static_cast<size_t>(n));
  id = id.substr(0, id.find('\n'));
  return id;
}

constexpr size_t kKeyFileBytes = 32;

// Fails only when libsodium cannot initialize.
Status InitSodium() {
  if (sodium_init() < 0) return PlainError("sodium_init", "", "libsodium cannot initialize");
  return {};
}

}  // namespace

const EnvelopeFormat& PlatformFormat() { return kUnixFormat; }

size_t MaxKeyFileBytes() { return kKeyFileBytes; }

void Wipe(void* p, size_t size) { sodium_memzero(p, size); }

Result<Identity> Identity::FromHost() {
  Identity id;
  id.user = std::to_string(::getuid());
  if (const char* test = ::getenv("CORDON_TEST_MACHINE_ID"); test != nullptr && *test != '\0') {
    id.machine_id = test;
    return id;
  }
  int err = 0;
  for (const char* path : {"/etc/machine-id", "/var/lib/dbus/machine-id"}) {
    id.machine_id = ReadMachineId(path, &err);
    if (!id.machine_id.empty()) return id;
  }
  Error e = SysError("open", "/etc/machine-id", err != 0 ? err : ENODATA);
  e.hint = "the vault key is bound to the machine id; systemd-machine-id-setup creates one";
  return e;
}

Result<std::string> NewKeyFile(const Identity& /*id*/) {
  CORDON_RETURN_IF_ERROR(InitSodium());
  std::string bytes(kKeyFileBytes, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  return bytes;
}

Result<Key> KeyFromFile(std::string_view key_file_bytes, const Identity& id,
                        const std::string& path) {
  CORDON_RETURN_IF_ERROR(InitSodium());
  if (key_file_bytes.size() != kKeyFileBytes) {
    return PlainError("vault", path, "the key file must hold exactly 32 bytes; it was kept");
  }
  // The same message as before the Windows half existed (the uid in
  // decimal), so existing vaults keep opening.
  std::string message(kContext);
  message += id.machine_id;
  message.push_back('\0');
  message += id.user;
  Key key;
  crypto_generichash(key.data(), 32, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size(), reinterpret_cast<const unsigned char*>(key_file_bytes.data()),
                     key_file_bytes.size());
  return key;
}

Result<std::string> Seal(const Key& key, std::string_view plain) {
  static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kUnixFormat.nonce_size);
  static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kTagSize);
  CORDON_RETURN_IF_ERROR(InitSodium());
  Envelope e;
  e.nonce.assign(kUnixFormat.nonce_size, '\0');
  randombytes_buf(e.nonce.data(), e.nonce.size());
  e.ciphertext.assign(plain.size() + kTagSize, '\0');
  unsigned long long len = 0;
  const std::string ad = Header(kUnixFormat);
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(e.ciphertext.data()), &len,
      reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
      reinterpret_cast<const unsigned char*>(e.nonce.data()), key.data());
  e.ciphertext.resize(len);
  return SerializeEnvelope(e, kUnixFormat);
}

Result<std::string> Unseal(const Key& key, std::string_view file, const std::string& path) {
  CORDON_RETURN_IF_ERROR(InitSodium());
  auto envelope = ParseEnvelope(file, kUnixFormat, path);
  if (!envelope.ok()) return envelope.error();
  const Envelope& e = envelope.value();
  std::string plain(e.ciphertext.size() - kTagSize, '\0');
  unsigned long long len = 0;
  const std::string ad = Header(kUnixFormat);
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr,
          reinterpret_cast<const unsigned char*>(e.ciphertext.data()), e.ciphertext.size(),
          reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
          reinterpret_cast<const unsigned char*>(e.nonce.data()), key.data()) != 0) {
    return NotAuthentic(path);
  }
  plain.resize(len);
  return plain;
}

}  // namespace cordon::vault
