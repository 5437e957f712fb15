// The on-failure re-run: after a failed run that hit a denial, the one
// escalation that would have let it pass (the latest denial: a writable
// path or a network destination), and the policy widened by the person's
// yes.
#pragma once

#include <optional>
#include <string>

#include "approval/broker.h"
#include "approval/question.h"
#include "policy/policy.h"
#include "sandbox/backend.h"

namespace cordon::cli {

// The question to ask after a run that ended with `status` (not 0), or
// nullopt when nothing is offered; then *notice, when not empty, says why
// (a denied write whose path may not be offered).
[[nodiscard]] std::optional<approval::Question> ChooseRerun(
    int status, const sandbox::RunStats& stats, const approval::Broker& broker,
    const policy::Policy& policy, const std::string& command, std::string* notice);

// Widens `policy` by an approved re-run question; returns what the re-run
// has now ("/home/u/.cache writable", "api.example.com:443 allowed"), or
// nullopt when the question cannot be applied.
[[nodiscard]] std::optional<std::string> ApplyRerun(const approval::Question& q,
                                                    policy::Policy& policy);

}  // namespace cordon::cli
