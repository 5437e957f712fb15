// The approval broker of a `cordon run` on Windows: the proxy's Decider for
// `--net proxy` (destinations no rule names are put to the person on the
// console, "always" answers saved in %APPDATA%\cordon\config.toml), and the
// untrusted gate and re-run offers when the Windows run takes them up.
// The same broker and setup as on Linux (run_broker.h); only the channel
// differs: the console (approval/channel.h's OpenTerminal).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "approval/broker.h"
#include "approval/channel.h"
#include "cli/policy-win32.h"
#include "common/event.h"

namespace cordon::cli {

// The broker for one run of `command` under `resolved`: asks on cordon's
// console when the approval policy asks at all and a console is there
// (else every question is denied as "nobody to ask", with the flag that
// would allow it said on stderr). `events` (may be null) must outlive the
// broker. `hold`, when set, is called with true while a question is on the
// console and false after (to suspend the run's processes, as Linux stops
// them); none: the command keeps running meanwhile.
//
// Contract: the console is asked only when `command_has_own_console` (the
// command runs on a pseudo console of its own, run_console-win32.h);
// otherwise every question is denied as "nobody to ask". A process attached
// to cordon's console can write input records into it (WriteConsoleInputW),
// so it could answer its own question.
[[nodiscard]] std::unique_ptr<approval::Broker> MakeRunBroker(
    const ResolvedPolicy& resolved, const std::vector<std::string>& command, EventSink* events,
    bool command_has_own_console, approval::Hold hold = {});

}  // namespace cordon::cli
