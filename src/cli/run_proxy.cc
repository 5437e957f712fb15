// The proxy factory of a `cordon run`: proxy::Server behind the backend's
// RunningProxy.
#include "cli/run_proxy.h"

#include <memory>
#include <utility>
#include <vector>

#include "proxy/server.h"

namespace cordon::cli {
namespace {

class ServedProxy : public sandbox::RunningProxy {
 public:
  explicit ServedProxy(std::unique_ptr<proxy::Server> server) : server_(std::move(server)) {}

 private:
  std::unique_ptr<proxy::Server> server_;  // stops the proxy when destroyed
};

}  // namespace

sandbox::ProxyFactory RunProxy(const policy::Policy& policy, EventSink* events,
                               proxy::Decider* decider, int decide_timeout_ms) {
  // The rules are copied only when a proxy starts: most runs have none.
  return [&policy, events, decider, decide_timeout_ms](
             sandbox::ProxyListeners listeners) -> Result<std::unique_ptr<sandbox::RunningProxy>> {
    proxy::Config config;
    config.rules = policy.net_rules;
    config.resolve = policy.net_resolve;
    config.events = events;
    config.decider = decider;
    if (decide_timeout_ms > 0) config.limits.decide_timeout_ms = decide_timeout_ms;
    std::vector<proxy::Relay> relays;
    for (sandbox::RelayListener& r : listeners.relays) {
      relays.push_back({std::move(r.listener), r.host, r.port});
    }
    auto server =
        proxy::Server::Start(std::move(listeners.proxy), std::move(config), std::move(relays));
    if (!server.ok()) return server.error();
    return std::unique_ptr<sandbox::RunningProxy>(
        std::make_unique<ServedProxy>(std::move(server.value())));
  };
}

}  // namespace cordon::cli
