// The framing of absolute-form HTTP forwarding (a plain `GET http://...`
// through the proxy): one request and its response at a time, which of the
// client's bytes belong to the request body, which of the server's belong to
// the response, and whether the exchange left the connection reusable.
//
// Pure: it moves bytes between buffers that the Connection owns and fills
// from its sockets; the sockets, timeouts, decisions and events stay in the
// Connection, as with Tunnel for CONNECT and SOCKS5.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "proxy/http_head.h"

namespace cordon::proxy {

struct Forwarder {
  RequestHead request;  // the request being forwarded
  bool request_done = false;
  uint64_t request_left = 0;  // Content-Length bytes still to come
  ChunkedTracker request_chunks;
  ResponseHead response;  // the final (non-1xx) response head, once read
  bool response_head_done = false;
  uint64_t response_left = 0;
  ChunkedTracker response_chunks;
  bool response_done = false;

  // Starts forwarding `request` (set when its head was parsed, before the
  // decision); returns the head to send upstream.
  [[nodiscard]] std::string Start();

  // Moves the request body's next bytes from the front of `in` (client
  // bytes) to the end of `out` (for upstream); leaves bytes after the body
  // in `in`. Returns how many moved; nullopt for a malformed chunked body.
  [[nodiscard]] std::optional<size_t> MoveRequestBody(std::string& in, std::string& out);

  // Moves the response from the front of `from` (server bytes) to the end of
  // `to` (for the client): interim 1xx heads, the final head, then the body
  // as its framing delimits it (none for HEAD, 204, 304). `moved` counts the
  // bytes moved. false: the head or the chunked body is malformed
  // (response_head_done tells which).
  [[nodiscard]] bool MoveResponse(std::string& from, std::string& to, size_t max_head_bytes,
                                  uint64_t* moved);

  // Response body bytes that may pass from the server straight to the
  // client, without framing to follow (spliced by the Connection): once the
  // final head has passed, the rest of a Content-Length body (bounded, so
  // the relay never runs past the message) or all of a body that runs until
  // the server closes. 0 otherwise: no head yet, done, no body, or chunked
  // (whose framing MoveResponse follows byte by byte).
  [[nodiscard]] uint64_t SpliceableBody() const;
  // `n` bytes of the body went past MoveResponse (at most SpliceableBody()).
  void OnBodySpliced(uint64_t n);

  // The server closed its side. kDone: that ends the response (a body that
  // runs until close), or it had ended already; kNoResponse: no complete
  // head arrived; kCutShort: the body was cut short.
  enum class Eof { kDone, kNoResponse, kCutShort };
  [[nodiscard]] Eof OnUpstreamEof();

  // After response_done: the client may send another request on this
  // connection (it asked to keep it, its request body was read whole, and
  // the response did not end with the server's close).
  [[nodiscard]] bool Reusable() const;
};

}  // namespace cordon::proxy
