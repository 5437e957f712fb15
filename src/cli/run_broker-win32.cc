// The Windows run's broker (run_broker-win32.h).
#include "cli/run_broker-win32.h"

#include <utility>

#include "cli/run_broker.h"

namespace cordon::cli {

std::unique_ptr<approval::Broker> MakeRunBroker(const ResolvedPolicy& resolved,
                                                const std::vector<std::string>& command,
                                                EventSink* events, bool command_has_own_console,
                                                approval::Hold hold) {
  approval::BrokerOptions o =
      RunBrokerOptions(resolved.policy, command, resolved.always_config, events);
  // Under `never` nothing is asked: no console is opened. Nor when the
  // command shares cordon's console: it could type the answer.
  if (resolved.policy.approval != policy::Approval::kNever && command_has_own_console) {
    o.channel = approval::OpenTerminal(AlwaysNote(o.config_path), std::move(hold));
  }
  o.on_notice = [](const std::string& what) { Say(what); };
  return std::make_unique<approval::Broker>(std::move(o));
}

}  // namespace cordon::cli
