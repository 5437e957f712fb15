// HTTP forwarding framing (see forwarder.h).
#include "proxy/forwarder.h"

#include <algorithm>
#include <limits>

namespace cordon::proxy {

std::string Forwarder::Start() {
  request_done = request.body == RequestHead::Body::kNone;
  request_left = request.content_length;
  request_chunks = ChunkedTracker();
  response = ResponseHead();
  response_head_done = false;
  response_left = 0;
  response_chunks = ChunkedTracker();
  response_done = false;
  return UpstreamHead(request);
}

std::optional<size_t> Forwarder::MoveRequestBody(std::string& in, std::string& out) {
  if (request_done || in.empty()) return 0;
  size_t take = 0;
  if (request.body == RequestHead::Body::kLength) {
    take = static_cast<size_t>(std::min<uint64_t>(request_left, in.size()));
    request_left -= take;
    request_done = request_left == 0;
  } else {
    take = request_chunks.Feed(in);
    if (request_chunks.error()) return std::nullopt;
    request_done = request_chunks.done();
  }
  out.append(in, 0, take);
  in.erase(0, take);
  return take;
}

bool Forwarder::MoveResponse(std::string& from, std::string& to, size_t max_head_bytes,
                             uint64_t* moved) {
  while (!from.empty() && !response_done) {
    if (!response_head_done) {
      ResponseParse r = ParseResponseHead(from, max_head_bytes, request.method == "HEAD");
      if (r.state == Parse::kIncomplete) return true;
      if (r.state == Parse::kError) return false;
      to.append(from, 0, r.consumed);
      *moved += r.consumed;
      from.erase(0, r.consumed);
      if (r.head.status >= 100 && r.head.status < 200) continue;  // 100 Continue: another head
      response = r.head;
      response_head_done = true;
      response_left = response.content_length;
      response_done = response.body == ResponseHead::Body::kNone ||
                      (response.body == ResponseHead::Body::kLength && response_left == 0);
      continue;
    }
    size_t take = from.size();
    if (response.body == ResponseHead::Body::kLength) {
      take = static_cast<size_t>(std::min<uint64_t>(response_left, take));
      response_left -= take;
      response_done = response_left == 0;
    } else if (response.body == ResponseHead::Body::kChunked) {
      take = response_chunks.Feed(from);
      if (response_chunks.error()) return false;
      response_done = response_chunks.done();
    }
    to.append(from, 0, take);
    *moved += take;
    from.erase(0, take);
  }
  return true;
}

uint64_t Forwarder::SpliceableBody() const {
  if (!response_head_done || response_done) return 0;
  switch (response.body) {
    case ResponseHead::Body::kLength:
      return response_left;
    case ResponseHead::Body::kUntilClose:
      return std::numeric_limits<uint64_t>::max();
    case ResponseHead::Body::kNone:
    case ResponseHead::Body::kChunked:
      break;
  }
  return 0;
}

void Forwarder::OnBodySpliced(uint64_t n) {
  if (response.body != ResponseHead::Body::kLength) return;
  response_left -= std::min(n, response_left);
  response_done = response_left == 0;
}

Forwarder::Eof Forwarder::OnUpstreamEof() {
  if (response_done) return Eof::kDone;
  if (!response_head_done) return Eof::kNoResponse;
  if (response.body != ResponseHead::Body::kUntilClose) return Eof::kCutShort;
  response_done = true;
  return Eof::kDone;
}

bool Forwarder::Reusable() const {
  return request_done && request.keep_alive && response.body != ResponseHead::Body::kUntilClose;
}

}  // namespace cordon::proxy
