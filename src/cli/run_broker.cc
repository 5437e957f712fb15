// The broker options of a `cordon run` (run_broker.h).
#include "cli/run_broker.h"

#include <utility>

#include "policy/approval.h"

namespace cordon::cli {

std::string AlwaysConfigPath(const policy::Overrides& overrides, const policy::HostFacts& host) {
  if (overrides.no_config) return "";
  return overrides.config_file.value_or(host.xdg_config_home + "/cordon/config.toml");
}

std::string AlwaysNote(const std::string& config_path) {
  return config_path.empty() ? "" : "saved in " + config_path;
}

approval::BrokerOptions RunBrokerOptions(const policy::Policy& policy,
                                         const std::vector<std::string>& argv,
                                         std::string config_path, EventSink* events) {
  approval::BrokerOptions o;
  o.approval = policy.approval;
  o.trusted_commands = policy.trusted_commands;
  o.timeout_ms = policy.approval_timeout_seconds * 1000;
  o.command = policy::DescribeCommand(argv);
  o.config_path = std::move(config_path);
  o.events = events;
  return o;
}

}  // namespace cordon::cli
