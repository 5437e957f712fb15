#include "proxy/resolver.h"

#include <cstring>
#include <system_error>
#include <thread>

#include "policy/socket_headers.h"
#include "proxy/socket.h"  // LookupErrorText; getaddrinfo comes with <netdb.h> / <ws2tcpip.h>

namespace cordon::proxy {

bool ParseIpLiteral(const std::string& text, uint16_t port, sockaddr_storage* out) {
  *out = {};
  auto* v4 = reinterpret_cast<sockaddr_in*>(out);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return true;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(out);
  if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return true;
  }
  return false;
}

std::string AddressText(const sockaddr_storage& addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&addr)->sin_addr, buf, sizeof buf);
  } else if (addr.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

void Resolver::Lookup(const std::string& host, uint16_t port, std::function<void(Resolved)> done) {
  sockaddr_storage literal{};
  if (ParseIpLiteral(host, port, &literal)) {
    done(Resolved{{literal}, ""});
    return;
  }
  for (const auto& [name, address] : overrides_) {
    if (name != host) continue;  // both normalized
    Resolved r;
    if (ParseIpLiteral(address, port, &literal)) {
      r.addresses.push_back(literal);
    } else {
      r.error = "bad --resolve address " + address;
    }
    done(std::move(r));
    return;
  }
  Pending lookup{host, port, std::move(done)};
  if (running_ >= kMaxConcurrent) {
    queue_.push_back(std::move(lookup));
    return;
  }
  Start(std::move(lookup));
}

void Resolver::Finished() {
  --running_;
  if (!queue_.empty() && running_ < kMaxConcurrent) {
    Pending next = std::move(queue_.front());
    queue_.pop_front();
    Start(std::move(next));
  }
}

void Resolver::Start(Pending lookup) {
  ++running_;
  // One thread per lookup: a slow DNS server must not stall other
  // connections. The answer comes back through the mailbox, on the loop
  // thread, where this resolver still exists (the loop owns both).
  // Shared, so a thread that cannot be started still leaves it callable.
  auto done = std::make_shared<std::function<void(Resolved)>>(std::move(lookup.done));
  auto work = [mailbox = mailbox_, self = this, host = lookup.host, port = lookup.port, done] {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    Resolved r;
    int rc = getaddrinfo(host.c_str(), nullptr, &hints, &list);
    if (rc != 0) {
      r.error = LookupErrorText(rc);
    } else {
      for (addrinfo* a = list; a != nullptr; a = a->ai_next) {
        if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
        sockaddr_storage s{};
        std::memcpy(&s, a->ai_addr, a->ai_addrlen);
        if (s.ss_family == AF_INET) {
          reinterpret_cast<sockaddr_in*>(&s)->sin_port = htons(port);
        } else {
          reinterpret_cast<sockaddr_in6*>(&s)->sin6_port = htons(port);
        }
        r.addresses.push_back(s);
      }
      freeaddrinfo(list);
      if (r.addresses.empty()) r.error = "no IPv4 or IPv6 address";
    }
    mailbox->Post([self, done, r = std::move(r)]() mutable {
      self->Finished();
      (*done)(std::move(r));
    });
  };
  try {
    std::thread(std::move(work)).detach();
  } catch (const std::system_error&) {
    --running_;
    (*done)(Resolved{{}, "cannot start a lookup thread"});
  }
}

}  // namespace cordon::proxy
