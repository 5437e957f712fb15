// The approval broker's setup for a `cordon run`, shared by Linux (run.cc,
// which adds the fd to `cordon mcp` and the hold that stops the run's
// processes) and Windows (run_broker-win32.h): the policy's approval
// settings, the command as questions show it, where "always" is saved and
// the events.
#pragma once

#include <string>
#include <vector>

#include "approval/broker.h"
#include "common/event.h"
#include "policy/flag_layer.h"
#include "policy/loader.h"
#include "policy/policy.h"

namespace cordon::cli {

// Where a run saves "always" answers: --config FILE, else the user config
// (XDG_CONFIG_HOME/cordon/config.toml; on Windows %APPDATA%\cordon);
// empty under --no-config (an "always" then holds for the session).
[[nodiscard]] std::string AlwaysConfigPath(const policy::Overrides& overrides,
                                           const policy::HostFacts& host);

// The terminal's note next to "always": "saved in PATH", or empty.
[[nodiscard]] std::string AlwaysNote(const std::string& config_path);

// The options every run's broker starts from (no channel, no notice yet):
// approval policy, trusted commands and timeout from `policy`, the
// command from `argv`. `events` may be null.
[[nodiscard]] approval::BrokerOptions RunBrokerOptions(const policy::Policy& policy,
                                                       const std::vector<std::string>& argv,
                                                       std::string config_path, EventSink* events);

}  // namespace cordon::cli
