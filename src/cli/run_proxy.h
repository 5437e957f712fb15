// The proxy a `cordon run` hands to the sandbox backend (backend.h's
// ProxyFactory): proxy::Server with the policy's rules, the run's events
// and the approval broker. The cli wires it in so that the sandbox library
// links no proxy.
#pragma once

#include "common/event.h"
#include "policy/policy.h"
#include "proxy/decider.h"
#include "sandbox/backend.h"

namespace cordon::cli {

// `policy`, `events` and `decider` (may be null: destinations no rule names
// are denied) must outlive the factory and every proxy it starts. decide_timeout_ms:
// how long a connection is held for the decider (0: the proxy's default).
[[nodiscard]] sandbox::ProxyFactory RunProxy(const policy::Policy& policy, EventSink* events,
                                             proxy::Decider* decider, int decide_timeout_ms);

}  // namespace cordon::cli
