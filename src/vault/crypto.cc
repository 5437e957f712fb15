// libsodium calls behind the vault: key derivation, seal and unseal.
#include "vault/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include <utility>

#include "common/unique_fd.h"
#include "vault/format.h"

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

}  // namespace

Key::~Key() { sodium_memzero(bytes_.data(), bytes_.size()); }
Key::Key(Key&& o) noexcept : bytes_(o.bytes_) { sodium_memzero(o.bytes_.data(), o.bytes_.size()); }
Key& Key::operator=(Key&& o) noexcept {
  if (this != &o) {
    bytes_ = o.bytes_;
    sodium_memzero(o.bytes_.data(), o.bytes_.size());
  }
  return *this;
}

Result<Identity> Identity::FromHost() {
  Identity id;
  id.uid = ::getuid();
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

Status InitSodium() {
  if (sodium_init() < 0) return PlainError("sodium_init", "", "libsodium cannot initialize");
  return {};
}

Result<std::string> NewKeyFileBytes() {
  CORDON_RETURN_IF_ERROR(InitSodium());
  std::string bytes(kKeyFileBytes, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  return bytes;
}

Result<Key> DeriveKey(std::string_view key_file_bytes, const Identity& id) {
  CORDON_RETURN_IF_ERROR(InitSodium());
  if (key_file_bytes.size() != kKeyFileBytes) {
    return PlainError("vault", "key", "the key file must hold exactly 32 bytes");
  }
  std::string message(kContext);
  message += id.machine_id;
  message.push_back('\0');
  message += std::to_string(id.uid);
  Key key;
  crypto_generichash(key.data(), 32, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size(), reinterpret_cast<const unsigned char*>(key_file_bytes.data()),
                     key_file_bytes.size());
  return key;
}

std::string Seal(const Key& key, std::string_view plain) {
  static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kNonceSize);
  static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kTagSize);
  Envelope e;
  e.nonce.assign(kNonceSize, '\0');
  randombytes_buf(e.nonce.data(), e.nonce.size());
  e.ciphertext.assign(plain.size() + kTagSize, '\0');
  unsigned long long len = 0;
  std::string_view ad = Header();
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(e.ciphertext.data()), &len,
      reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
      reinterpret_cast<const unsigned char*>(e.nonce.data()), key.data());
  e.ciphertext.resize(len);
  return SerializeEnvelope(e);
}

Result<std::string> Unseal(const Key& key, std::string_view file, const std::string& path) {
  auto envelope = ParseEnvelope(file, path);
  if (!envelope.ok()) return envelope.error();
  const Envelope& e = envelope.value();
  std::string plain(e.ciphertext.size() - kTagSize, '\0');
  unsigned long long len = 0;
  std::string_view ad = Header();
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr,
          reinterpret_cast<const unsigned char*>(e.ciphertext.data()), e.ciphertext.size(),
          reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
          reinterpret_cast<const unsigned char*>(e.nonce.data()), key.data()) != 0) {
    Error err = PlainError("vault", path,
                           "cannot decrypt: the file was modified or damaged, or it belongs to "
                           "another machine or user (its key is bound to both)");
    err.hint = "the file was kept as is; nothing was reset";
    return err;
  }
  plain.resize(len);
  return plain;
}

}  // namespace cordon::vault
