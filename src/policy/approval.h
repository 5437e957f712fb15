// The approval policy's names and its pure helpers: when cordon asks the
// person (never, on-failure, on-request, untrusted) and which commands need
// no approval under `untrusted` (the trusted-command prefixes).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cordon::policy {

// never: denials are final. on-failure: a failed run that hit a denial may
// be re-run with the one escalation that would have let it pass.
// on-request: the person is asked live (a held network destination, an
// escalation the agent asks for). untrusted: on-request, and every command
// not on the trusted list is approved before it runs.
enum class Approval { kNever, kOnFailure, kOnRequest, kUntrusted };

[[nodiscard]] const char* ApprovalName(Approval a);
[[nodiscard]] std::optional<Approval> ParseApproval(std::string_view name);
inline constexpr const char* kApprovalChoices = "never, on-failure, on-request, untrusted";

// Strictness, for the rule that a project file only makes approvals
// stricter: on-request < on-failure < untrusted < never. `never` is the
// strictest since nothing is ever widened; `untrusted` adds a gate before
// every command.
[[nodiscard]] int Strictness(Approval a);

inline constexpr int kDefaultApprovalTimeoutSeconds = 60;
inline constexpr int kMaxApprovalTimeoutSeconds = 3600;

// True when argv starts with the words of one of the prefixes ("git status"
// matches `git status -s`, not `git statusx` nor `git`). Words are split on
// spaces; the first word of argv is compared by its full text and by its
// base name (so "ls" matches /bin/ls).
[[nodiscard]] bool IsTrustedCommand(const std::vector<std::string>& argv,
                                    const std::vector<std::string>& prefixes);

// argv as one line for a prompt or an event: words joined by spaces, each
// quoted when it holds anything but [A-Za-z0-9_./:=@%+,-], control bytes
// escaped, cut at `max` bytes with "...".
[[nodiscard]] std::string DescribeCommand(const std::vector<std::string>& argv, size_t max = 200);

}  // namespace cordon::policy
