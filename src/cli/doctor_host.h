// What `cordon doctor` looks at on the host, before and after a hostile run:
// a fingerprint of each file, the files ~/.ssh/config depends on, the mount
// table and the processes that carry doctor's marker.
//
// Read-only: nothing here changes the host. The checks themselves (which
// run goes with which inspection, and what counts as a FAIL) are in
// doctor.cc.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace cordon::cli::doctor_host {

// One line that changes when anything a hostile run could change about
// `path` changes: type, mode, owner, size, mtime, ctime, a content hash
// (BLAKE2b, first 8 bytes), a symlink's target and every xattr (ACLs are
// the system.posix_acl_* ones). "missing" when lstat fails. Never follows
// a symlink.
[[nodiscard]] std::string DescribeFile(const std::string& path);

// Appends `root` and the regular files, directories and symlinks beneath
// it (sorted, at most 7 levels deep) to `out` until it holds `limit`
// paths. Never follows symlinks; sockets (ssh's ControlMaster) are left
// out, they come and go with ssh sessions; so are names with a newline.
void Walk(const std::string& root, size_t limit, std::vector<std::string>* out);

// The files an ssh config depends on: IdentityFile, CertificateFile and
// Include targets (globs expanded, includes followed up to 8 deep), the
// directory of a fixed ControlPath; and which of them are private keys
// (the IdentityFiles). Paths with %-tokens are left out.
struct SshFiles {
  std::vector<std::string> paths;
  std::set<std::string> private_keys;
};
[[nodiscard]] SshFiles ParseSshConfig(const std::string& file, const std::string& home);

// This process's mount table without mount ids (sorted lines of
// /proc/self/mountinfo from the third field on), to compare before/after.
[[nodiscard]] std::vector<std::string> MountTable();

// Processes whose command line contains `marker`.
[[nodiscard]] std::vector<pid_t> ProcessesWith(const std::string& marker);

}  // namespace cordon::cli::doctor_host
