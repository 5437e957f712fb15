// Vault envelope and records: bounds-checked readers and the writers.
#include "vault/format.h"

namespace cordon::vault {

namespace {

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

Error Corrupt(const std::string& path, const std::string& what) {
  Error e = PlainError("vault", path, "corrupt vault file: " + what);
  e.hint =
      "the file was kept as is; restore it from a backup, or move it away and set the "
      "secrets again";
  return e;
}

// A cursor over untrusted bytes: every read checks the bytes left.
class Reader {
 public:
  explicit Reader(std::string_view data) : data_(data) {}
  bool U16(uint32_t* out) { return Uint(2, out); }
  bool U32(uint32_t* out) { return Uint(4, out); }
  bool Bytes(size_t n, std::string_view* out) {
    if (data_.size() - pos_ < n) return false;
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  [[nodiscard]] bool AtEnd() const { return pos_ == data_.size(); }

 private:
  bool Uint(size_t n, uint32_t* out) {
    if (data_.size() - pos_ < n) return false;
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i) {
      v |= static_cast<uint32_t>(static_cast<unsigned char>(data_[pos_ + i])) << (8 * i);
    }
    pos_ += n;
    *out = v;
    return true;
  }

  std::string_view data_;
  size_t pos_ = 0;
};

void PutUint(std::string* out, uint32_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

bool IsValidSecretName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameBytes || !IsNameStart(name.front())) return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

bool IsValidSecretValue(std::string_view value) {
  return value.size() <= kMaxValueBytes && value.find('\0') == std::string_view::npos;
}

std::string Header(const EnvelopeFormat& format) {
  return std::string(kMagic) + static_cast<char>(format.version);
}

Result<Envelope> ParseEnvelope(std::string_view file, const EnvelopeFormat& format,
                               const std::string& path) {
  if (file.size() > kMaxFileBytes) return Corrupt(path, "larger than 16 MiB");
  if (file.size() < kMagic.size() || file.substr(0, kMagic.size()) != kMagic) {
    return Corrupt(path, "not a cordon vault (bad magic)");
  }
  if (file.size() < kHeaderSize) return Corrupt(path, "truncated header");
  const auto version = static_cast<uint8_t>(file[kMagic.size()]);
  if (version != format.version) {
    for (const EnvelopeFormat* other : {&kUnixFormat, &kWin32Format}) {
      if (version != other->version) continue;
      Error e = PlainError("vault", path,
                           "written by " + std::string(other->written_by) + " (format " +
                               std::to_string(version) + "); this cordon reads format " +
                               std::to_string(format.version) + " only");
      e.hint =
          "a vault opens only on the machine and for the user that wrote it: the file was kept "
          "as is; move it away and set the secrets again here";
      return e;
    }
    return Corrupt(path, "unsupported version " + std::to_string(version));
  }
  if (file.size() < kHeaderSize + format.nonce_size + kTagSize) return Corrupt(path, "truncated");
  Envelope e;
  e.nonce = std::string(file.substr(kHeaderSize, format.nonce_size));
  e.ciphertext = std::string(file.substr(kHeaderSize + format.nonce_size));
  return e;
}

std::string SerializeEnvelope(const Envelope& envelope, const EnvelopeFormat& format) {
  std::string out = Header(format);
  out += envelope.nonce;
  out += envelope.ciphertext;
  return out;
}

Result<Secrets> ParseRecords(std::string_view plain, const std::string& path) {
  Reader r(plain);
  uint32_t count = 0;
  if (!r.U32(&count)) return Corrupt(path, "truncated record count");
  if (count > kMaxSecrets) return Corrupt(path, "too many records");
  Secrets out;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t name_len = 0, value_len = 0;
    std::string_view name, value;
    if (!r.U16(&name_len) || !r.Bytes(name_len, &name)) return Corrupt(path, "truncated name");
    if (!IsValidSecretName(name)) return Corrupt(path, "invalid secret name");
    if (!r.U32(&value_len) || value_len > kMaxValueBytes || !r.Bytes(value_len, &value)) {
      return Corrupt(path, "truncated value of " + std::string(name));
    }
    if (!IsValidSecretValue(value)) return Corrupt(path, "invalid value of " + std::string(name));
    if (!out.emplace(std::string(name), std::string(value)).second) {
      return Corrupt(path, "duplicate secret " + std::string(name));
    }
  }
  if (!r.AtEnd()) return Corrupt(path, "trailing bytes after the records");
  return out;
}

std::string SerializeRecords(const Secrets& secrets) {
  std::string out;
  PutUint(&out, static_cast<uint32_t>(secrets.size()), 4);
  for (const auto& [name, value] : secrets) {
    PutUint(&out, static_cast<uint32_t>(name.size()), 2);
    out += name;
    PutUint(&out, static_cast<uint32_t>(value.size()), 4);
    out += value;
  }
  return out;
}

}  // namespace cordon::vault
