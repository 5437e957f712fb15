// The policy's hash for cordon.session.start, remembered between runs.
//
// Every run hashes its whole rendered policy (about 12 KB); the SHA-256 of
// it was the largest piece of a run's own CPU (issue 16), and the policy is
// the same run after run. The last policy and its hash are kept in one
// file of cordon's state directory; a run whose policy is that text, byte
// for byte, takes the hash, and any other computes it and replaces the
// file. The file holds nothing the events do not (cordon.policy is the
// same text), and what it holds is checked against the text before use.
#pragma once

#include <string>

namespace cordon::telemetry {

// "sha256:<64 hex digits>" of `rendered`. `cache_file`: where the last one
// is kept (empty: none); a cache that cannot be read or written is
// ignored.
[[nodiscard]] std::string PolicyHash(const std::string& rendered, const std::string& cache_file);

}  // namespace cordon::telemetry
