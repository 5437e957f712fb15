// What both halves of the vault's cryptography share (crypto.h): the key's
// wiping ownership and the error for a file that does not authenticate.
#include "vault/crypto.h"

namespace cordon::vault {

Key::~Key() { Wipe(bytes_.data(), bytes_.size()); }
Key::Key(Key&& o) noexcept : bytes_(o.bytes_) { Wipe(o.bytes_.data(), o.bytes_.size()); }
Key& Key::operator=(Key&& o) noexcept {
  if (this != &o) {
    bytes_ = o.bytes_;
    Wipe(o.bytes_.data(), o.bytes_.size());
  }
  return *this;
}

Error NotAuthentic(const std::string& path) {
  Error err = PlainError("vault", path,
                         "cannot decrypt: the file was modified or damaged, or it belongs to "
                         "another machine or user (its key is bound to both)");
  err.hint = "the file was kept as is; nothing was reset";
  return err;
}

}  // namespace cordon::vault
