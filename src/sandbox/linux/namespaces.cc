// User namespace id maps and capability dropping.
#include "sandbox/linux/namespaces.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

namespace cordon::sandbox::namespaces {
namespace {

ChildStatus WriteFile(const char* path, const char* data) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return ChildStatus::Errno("open", path);
  size_t len = strlen(data);
  ssize_t n = write(fd, data, len);
  ChildStatus st =
      (n == static_cast<ssize_t>(len)) ? ChildStatus::Ok() : ChildStatus::Errno("write", path);
  close(fd);
  return st;
}

}  // namespace

IdMaps CurrentIdMaps() {
  std::string uid = std::to_string(geteuid());
  std::string gid = std::to_string(getegid());
  return {uid + " " + uid + " 1\n", gid + " " + gid + " 1\n"};
}

ChildStatus WriteIdMaps(const IdMaps& maps) {
  // An unprivileged gid map requires setgroups to be denied first.
  CORDON_CHILD_TRY(WriteFile("/proc/self/setgroups", "deny"));
  CORDON_CHILD_TRY(WriteFile("/proc/self/uid_map", maps.uid_map.c_str()));
  CORDON_CHILD_TRY(WriteFile("/proc/self/gid_map", maps.gid_map.c_str()));
  return ChildStatus::Ok();
}

ChildStatus SetHostname() {
  static const char kName[] = "cordon";
  if (sethostname(kName, sizeof(kName) - 1) != 0) return ChildStatus::Errno("sethostname", kName);
  return ChildStatus::Ok();
}

ChildStatus DropCapabilities() {
  // Securebits and the bounding set need CAP_SETPCAP: before capset.
  if (prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
                                   SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
                                   SECBIT_NO_CAP_AMBIENT_RAISE |
                                   SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED) != 0) {
    return ChildStatus::Errno("prctl(PR_SET_SECUREBITS)", nullptr);
  }
  // EINVAL marks the first capability this kernel does not know.
  for (int cap = 0; prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0; ++cap) {
  }
  if (errno != EINVAL) return ChildStatus::Errno("prctl(PR_CAPBSET_DROP)", nullptr);
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) {
    return ChildStatus::Errno("prctl(PR_CAP_AMBIENT_CLEAR_ALL)", nullptr);
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capset, &header, data) != 0) return ChildStatus::Errno("capset", nullptr);
  return ChildStatus::Ok();
}

std::string UserNamespaceHint(int err) {
  std::string hint =
      "cordon needs unprivileged user namespaces. Check: sysctl user.max_user_namespaces (must be "
      "> 0)";
  struct stat st {};
  if (stat("/proc/sys/kernel/unprivileged_userns_clone", &st) == 0) {
    hint += ", sysctl kernel.unprivileged_userns_clone=1";
  }
  if (stat("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &st) == 0) {
    hint +=
        ", and AppArmor's kernel.apparmor_restrict_unprivileged_userns (Ubuntu 23.10+: add an "
        "AppArmor profile for cordon with 'userns,')";
  }
  if (err == ENOSPC) hint += " (ENOSPC: the user namespace limit is reached or 0)";
  hint +=
      ". Or drop --require-namespaces (require_namespaces in the config) to confine with Landlock "
      "and seccomp alone, the namespace-less tier.";
  return hint;
}

}  // namespace cordon::sandbox::namespaces
