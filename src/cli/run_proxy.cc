// The proxy factory of a `cordon run`: proxy::Server behind the backend's
// RunningProxy.
#include "cli/run_proxy.h"

#include <memory>
#include <utility>

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
  return [&policy, events, decider,
          decide_timeout_ms](UniqueFd listener) -> Result<std::unique_ptr<sandbox::RunningProxy>> {
    proxy::Config config;
    config.rules = policy.net_rules;
    config.resolve = policy.net_resolve;
    config.events = events;
    config.decider = decider;
    if (decide_timeout_ms > 0) config.limits.decide_timeout_ms = decide_timeout_ms;
    auto server = proxy::Server::Start(std::move(listener), std::move(config));
    if (!server.ok()) return server.error();
    return std::unique_ptr<sandbox::RunningProxy>(
        std::make_unique<ServedProxy>(std::move(server.value())));
  };
}

}  // namespace cordon::cli
