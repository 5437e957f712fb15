// JSON string literals written straight into a string: the bytes
// nlohmann::json's dump(-1, ' ', false, replace) writes for a string
// (the same escapes: \" \\ \b \f \n \r \t, \u00xx in lowercase hex for the
// other control characters, everything else raw), without building a json
// value and writing it one virtual call per character. The events of every
// run and the hashed policy are written this way (issue 16: start-up cost).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cordon {

// Appends `s` as a JSON string literal, quotes included, and returns true;
// when `s` is not valid UTF-8, appends nothing and returns false (the caller
// lets nlohmann::json replace the invalid bytes, as it always did).
[[nodiscard]] bool AppendJsonString(std::string* out, std::string_view s);

// Compact JSON written straight into a string, byte for byte what
// nlohmann::json's dump(-1, ' ', false, replace) writes for the same tree:
// the policy that every run's session.start carries and hashes is written
// this way (a tree of one allocation per node cost a third of a
// full-access run's instructions). Commas are placed by the writer; the
// caller pairs Begin and End. A string that is not valid UTF-8 is written
// by nlohmann::json itself, so its replacement bytes stay the same.
class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}
  JsonWriter& BeginObject() { return Open('{'); }
  JsonWriter& EndObject() { return Close('}'); }
  JsonWriter& BeginArray() { return Open('['); }
  JsonWriter& EndArray() { return Close(']'); }
  // The next value is this key's.
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // Shorthands for a member.
  JsonWriter& Member(std::string_view key, std::string_view s) { return Key(key).String(s); }
  JsonWriter& Member(std::string_view key, const char* s) { return Key(key).String(s); }
  JsonWriter& Member(std::string_view key, bool v) { return Key(key).Bool(v); }

 private:
  JsonWriter& Open(char c);
  JsonWriter& Close(char c);
  void Separate();
  std::string* out_;
  bool first_ = true;       // nothing written yet in the innermost container
  bool after_key_ = false;  // a key was just written: its value needs no comma
};

}  // namespace cordon
