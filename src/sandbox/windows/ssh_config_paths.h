// The paths OpenSSH's client configuration names, so that no grant root is
// or contains one (root_validator.h, ProfileFacts::ssh_paths). An ACE on a
// key or known_hosts file that names anyone but the user makes OpenSSH for
// Windows refuse it (openai/codex#12226); the original settled on this list
// of directives after that bug (ssh_config_dependencies.rs).
//
// Pure: the Win32 layer reads ~/.ssh/config, passes its text here, expands
// each returned include pattern with FindFirstFile and parses those files
// too (at most 16 deep). Errs towards more paths: relative paths are taken
// against both ~/.ssh and the profile, and a path with a token (%h, %r) or a
// wildcard stands for the directory before it. The text is the user's, but
// another program may have written it: the tokenizer never fails or crashes
// (fuzzed in tests/fuzz/ssh_config_fuzz.cc).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cordon::sandbox::windows {

struct SshConfigPaths {
  std::vector<std::string> paths;     // full paths the config names
  std::vector<std::string> includes;  // Include patterns, full, for the caller to expand
};

// `profile` is %USERPROFILE% (what "~", "%d" and "${HOME}" mean), `ssh_dir`
// is ~/.ssh (what relative Include paths are relative to).
[[nodiscard]] SshConfigPaths SshConfigPathsOf(std::string_view config_text,
                                              std::string_view profile, std::string_view ssh_dir);

}  // namespace cordon::sandbox::windows
