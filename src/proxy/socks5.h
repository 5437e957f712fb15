// SOCKS5 (RFC 1928) for the allowlist proxy: the client's greeting and
// request, and the server's replies. Only "no authentication" and CONNECT
// are served; the server refuses BIND and UDP ASSOCIATE with reply 7.
//
// Pure functions over bytes the caller has buffered; the input comes from
// inside the sandbox and is hostile.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/parse.h"

namespace cordon::proxy {

inline constexpr uint8_t kSocks5Version = 5;
inline constexpr uint8_t kSocks5NoAuth = 0x00;
inline constexpr uint8_t kSocks5NoAcceptableMethod = 0xff;

// Commands (CMD).
inline constexpr uint8_t kSocks5Connect = 1;
inline constexpr uint8_t kSocks5Bind = 2;
inline constexpr uint8_t kSocks5UdpAssociate = 3;

// Reply codes (REP).
inline constexpr uint8_t kSocks5Succeeded = 0;
inline constexpr uint8_t kSocks5GeneralFailure = 1;
inline constexpr uint8_t kSocks5NotAllowed = 2;  // connection not allowed by ruleset
inline constexpr uint8_t kSocks5NetworkUnreachable = 3;
inline constexpr uint8_t kSocks5HostUnreachable = 4;
inline constexpr uint8_t kSocks5ConnectionRefused = 5;
inline constexpr uint8_t kSocks5TtlExpired = 6;
inline constexpr uint8_t kSocks5CommandNotSupported = 7;
inline constexpr uint8_t kSocks5AddressTypeNotSupported = 8;

struct Socks5Greeting {
  bool no_auth_offered = false;
};

struct GreetingParse {
  Parse state = Parse::kIncomplete;
  size_t consumed = 0;
  Socks5Greeting greeting;
};

// VER(5) NMETHODS(1-255) METHODS. kError for another version or no method.
[[nodiscard]] GreetingParse ParseSocks5Greeting(std::string_view buf);

// The method selection: VER 5 and "no authentication", or 0xff when the
// client did not offer it (then the server closes).
[[nodiscard]] std::string Socks5MethodReply(bool no_auth_offered);

struct Socks5Request {
  uint8_t command = 0;  // kSocks5Connect, kSocks5Bind or kSocks5UdpAssociate
  // As policy::NormalizeHost returns it (lower-case name, canonical address,
  // IPv4-mapped IPv6 as IPv4); a name that does not normalize is kept as
  // sent (it may hold any byte but NUL) and DecideHost denies it.
  std::string host;
  uint16_t port = 0;
  bool is_ip = false;  // the host is an IPv4 or IPv6 address
};

struct Socks5Parse {
  Parse state = Parse::kIncomplete;
  size_t consumed = 0;
  Socks5Request request;
  uint8_t reply_on_error = kSocks5GeneralFailure;  // kError: the REP to send
};

// VER(5) CMD RSV(0) ATYP DST.ADDR DST.PORT. Errors: another version or a
// nonzero RSV (reply 1), an unknown command (reply 7), an address type other
// than 1, 3 or 4 (reply 8), an empty name or one with a NUL byte (reply 1).
// BIND and UDP ASSOCIATE parse (kDone): the server refuses them with 7.
[[nodiscard]] Socks5Parse ParseSocks5Request(std::string_view buf);

// A reply with code `code` and a zero IPv4 bound address and port.
[[nodiscard]] std::string Socks5Reply(uint8_t code);

}  // namespace cordon::proxy
