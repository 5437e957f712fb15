// The on-failure re-run: after a failed run that hit a denial, the one
// escalation that would have let it pass (the latest denial: a writable
// path or a network destination), and the policy widened by the person's
// yes (a grant in the flag layer, resolved again like any flag).
#pragma once

#include <optional>
#include <string>

#include "approval/broker.h"
#include "approval/question.h"
#include "policy/flag_layer.h"
#include "policy/policy.h"
#include "sandbox/backend.h"

namespace cordon::cli {

// The question to ask after a run that ended with `status` (not 0), or
// nullopt when nothing is offered; then *notice, when not empty, says why
// (a denied write whose path may not be offered).
[[nodiscard]] std::optional<approval::Question> ChooseRerun(
    int status, const sandbox::RunStats& stats, const approval::Broker& broker,
    const policy::Policy& policy, const std::string& command, std::string* notice);

// Adds an approved re-run question to the flag layer (policy::Grant), to
// be resolved again; returns what the re-run will have ("/home/u/.cache
// writable", "api.example.com:443 allowed").
[[nodiscard]] std::string ApplyRerun(const approval::Question& q, policy::Overrides* overrides);

}  // namespace cordon::cli
