// Builds the mount view with the new mount API (open_tree, move_mount,
// mount_setattr: Linux 5.12+), which clones host paths before they are
// covered and flips whole trees read-only in one call.
#include "sandbox/linux/mount_view.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <iterator>
#include <string>

namespace cordon::sandbox::mount_view {
namespace {

ChildStatus SetReadOnly(int dfd, const char* path, unsigned flags, const char* what) {
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (mount_setattr(dfd, path, flags, &attr, sizeof(attr)) != 0) {
    return ChildStatus::Errno("mount_setattr(MOUNT_ATTR_RDONLY)", what);
  }
  return ChildStatus::Ok();
}

// mkdir -p of the directories leading to `path`. Only called inside covers,
// so every directory created lives in a tmpfs of the sandbox.
ChildStatus MakeParents(const char* path) {
  char buf[PATH_MAX];
  size_t len = strlen(path);
  if (len >= sizeof(buf)) {
    errno = ENAMETOOLONG;
    return ChildStatus::Errno("mkdir", path);
  }
  memcpy(buf, path, len + 1);
  // Most parents exist, or only the last is missing: one mkdir, not one per
  // component from the root.
  char* last = strrchr(buf, '/');
  if (last != nullptr && last != buf) {
    *last = '\0';
    const bool made = mkdir(buf, 0755) == 0 || errno == EEXIST;
    *last = '/';
    if (made) return ChildStatus::Ok();
  }
  for (size_t i = 1; i < len; ++i) {
    if (buf[i] != '/') continue;
    buf[i] = '\0';
    if (mkdir(buf, 0755) != 0 && errno != EEXIST) return ChildStatus::Errno("mkdir", path);
    buf[i] = '/';
  }
  return ChildStatus::Ok();
}

// MakeParents, then `path` itself as a directory or an empty file.
ChildStatus MakeMountpoint(const char* path, bool is_dir) {
  CORDON_CHILD_TRY(MakeParents(path));
  if (is_dir) {
    if (mkdir(path, 0755) != 0 && errno != EEXIST) return ChildStatus::Errno("mkdir", path);
    return ChildStatus::Ok();
  }
  int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return ChildStatus::Errno("create mountpoint", path);
  close(fd);
  return ChildStatus::Ok();
}

ChildStatus Attach(int fd, const char* path) {
  if (move_mount(fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    return ChildStatus::Errno("move_mount", path);
  }
  return ChildStatus::Ok();
}

// Clones `path` (with its submounts) and attaches the clone over itself.
ChildStatus SelfBind(const char* path, bool read_only, bool recursive) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  int fd = open_tree(AT_FDCWD, path, flags);
  if (fd < 0) return ChildStatus::Errno("open_tree(OPEN_TREE_CLONE)", path);
  ChildStatus st =
      read_only ? SetReadOnly(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, path) : ChildStatus::Ok();
  if (st.ok()) st = Attach(fd, path);
  close(fd);
  return st;
}

ChildStatus Symlink(const char* target, const char* path) {
  if (symlink(target, path) != 0) return ChildStatus::Errno("symlink", path);
  return ChildStatus::Ok();
}

// devpts, ptmx and the fd links of a minimal /dev (inside the /dev cover).
ChildStatus PopulateDev() {
  if (mkdir("/dev/pts", 0755) != 0) return ChildStatus::Errno("mkdir", "/dev/pts");
  if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
            "newinstance,ptmxmode=0666,mode=0620") != 0) {
    return ChildStatus::Errno("mount(devpts)", "/dev/pts");
  }
  CORDON_CHILD_TRY(Symlink("pts/ptmx", "/dev/ptmx"));
  CORDON_CHILD_TRY(Symlink("/proc/self/fd", "/dev/fd"));
  CORDON_CHILD_TRY(Symlink("/proc/self/fd/0", "/dev/stdin"));
  CORDON_CHILD_TRY(Symlink("/proc/self/fd/1", "/dev/stdout"));
  CORDON_CHILD_TRY(Symlink("/proc/self/fd/2", "/dev/stderr"));
  return ChildStatus::Ok();
}

// A private, detached tmpfs holding one empty mode-000 file and directory:
// the material deny-read paths are covered with.
ChildStatus HideAll(const Plan& plan) {
  if (plan.hides.empty()) return ChildStatus::Ok();
  int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0) return ChildStatus::Errno("fsopen(tmpfs)", "deny-read cover");
  if (fsconfig(fs, FSCONFIG_SET_STRING, "size", "4k", 0) != 0 ||
      fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    ChildStatus st = ChildStatus::Errno("fsconfig(tmpfs)", "deny-read cover");
    close(fs);
    return st;
  }
  int mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
  close(fs);
  if (mnt < 0) return ChildStatus::Errno("fsmount(tmpfs)", "deny-read cover");
  ChildStatus st;
  int file = openat(mnt, "f", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0);
  if (file < 0) st = ChildStatus::Errno("create", "deny-read cover file");
  if (file >= 0) close(file);
  if (st.ok() && mkdirat(mnt, "d", 0) != 0) st = ChildStatus::Errno("mkdir", "deny-read cover dir");
  for (size_t i = 0; st.ok() && i < plan.hides.size(); ++i) {
    const Hide& hide = plan.hides[i];
    int fd = open_tree(mnt, hide.is_dir ? "d" : "f", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (fd < 0) {
      st = ChildStatus::Errno("open_tree(deny-read cover)", hide.path.c_str());
      break;
    }
    st = SetReadOnly(fd, "", AT_EMPTY_PATH, hide.path.c_str());
    if (st.ok()) st = Attach(fd, hide.path.c_str());
    close(fd);
  }
  close(mnt);
  return st;
}

ChildStatus OverlayOption(int fs, const char* key, const char* value, const char* path) {
  if (fsconfig(fs, FSCONFIG_SET_STRING, key, value, 0) != 0) {
    return ChildStatus::Errno(key[0] == 'l'   ? "fsconfig(overlay lowerdir)"
                              : key[0] == 'u' ? "fsconfig(overlay upperdir)"
                                              : "fsconfig(overlay workdir)",
                              path);
  }
  return ChildStatus::Ok();
}

// A detached mount of `overlay`. The overlay keeps its extended attributes in the user.*
// namespace (userxattr): trusted.* needs privileges over the host's
// filesystem, which a user namespace never has.
ChildStatus MakeLayer(const Overlay& overlay, int* out) {
  const char* path = overlay.path.c_str();
  std::string upper = overlay.upper;
  std::string work = overlay.work;
  // An ephemeral layer's upper and work live on a detached tmpfs, named
  // through its fd while the overlay is created (it keeps its own
  // reference afterwards).
  int scratch = -1;
  if (overlay.ephemeral) {
    int tmp = fsopen("tmpfs", FSOPEN_CLOEXEC);
    if (tmp < 0) return ChildStatus::Errno("fsopen(tmpfs)", path);
    if (fsconfig(tmp, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) == 0) {
      scratch = fsmount(tmp, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
    }
    close(tmp);
    if (scratch < 0 || mkdirat(scratch, "upper", 0700) != 0 ||
        mkdirat(scratch, "work", 0700) != 0) {
      if (scratch >= 0) close(scratch);
      return ChildStatus::Errno("tmpfs for an ephemeral cache layer", path);
    }
    const std::string base = "/proc/self/fd/" + std::to_string(scratch);
    upper = base + "/upper";
    work = base + "/work";
  }
  int fs = fsopen("overlay", FSOPEN_CLOEXEC);
  if (fs < 0) {
    if (scratch >= 0) close(scratch);
    return ChildStatus::Errno("fsopen(overlay)", path);
  }
  ChildStatus st = OverlayOption(fs, "lowerdir", overlay.lower.c_str(), path);
  if (st.ok()) st = OverlayOption(fs, "upperdir", upper.c_str(), path);
  if (st.ok()) st = OverlayOption(fs, "workdir", work.c_str(), path);
  if (st.ok() && fsconfig(fs, FSCONFIG_SET_FLAG, "userxattr", nullptr, 0) != 0) {
    st = ChildStatus::Errno("fsconfig(overlay userxattr)", path);
  }
  if (st.ok() && fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    st = ChildStatus::Errno("fsconfig(overlay create)", path);
  }
  if (st.ok()) {
    *out = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
    if (*out < 0) st = ChildStatus::Errno("fsmount(overlay)", path);
  }
  close(fs);
  if (scratch >= 0) close(scratch);
  return st;
}

// A tmpfs made detached (fsopen, fsconfig, fsmount): `options` is mount(2)
// data ("mode=1777,size=N"), `flags` its MS_NOSUID/MS_NODEV/MS_NOEXEC. The
// returned fd is the mount, attached nowhere.
int DetachedTmpfs(const char* options, unsigned long flags, const char* what, ChildStatus* st) {
  int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0) {
    *st = ChildStatus::Errno("fsopen(tmpfs)", what);
    return -1;
  }
  char buf[256];
  const size_t len = strlen(options);
  if (len >= sizeof(buf)) {
    close(fs);
    errno = E2BIG;
    *st = ChildStatus::Errno("fsconfig", what);
    return -1;
  }
  memcpy(buf, options, len + 1);
  // mount(2) names the source "tmpfs"; fsopen would leave "none".
  if (fsconfig(fs, FSCONFIG_SET_STRING, "source", "tmpfs", 0) != 0) {
    close(fs);
    *st = ChildStatus::Errno("fsconfig(source)", what);
    return -1;
  }
  for (char* key = buf; *key != '\0';) {
    char* end = strchr(key, ',');
    if (end != nullptr) *end = '\0';
    char* value = strchr(key, '=');
    if (value != nullptr) *value++ = '\0';
    const int r = value != nullptr ? fsconfig(fs, FSCONFIG_SET_STRING, key, value, 0)
                                   : fsconfig(fs, FSCONFIG_SET_FLAG, key, nullptr, 0);
    if (r != 0) {
      close(fs);
      *st = ChildStatus::Errno("fsconfig", what);
      return -1;
    }
    if (end == nullptr) break;
    key = end + 1;
  }
  if (fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    close(fs);
    *st = ChildStatus::Errno("fsconfig(FSCONFIG_CMD_CREATE)", what);
    return -1;
  }
  unsigned attrs = 0;
  if ((flags & MS_NOSUID) != 0) attrs |= MOUNT_ATTR_NOSUID;
  if ((flags & MS_NODEV) != 0) attrs |= MOUNT_ATTR_NODEV;
  if ((flags & MS_NOEXEC) != 0) attrs |= MOUNT_ATTR_NOEXEC;
  int mnt = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
  close(fs);
  if (mnt < 0) *st = ChildStatus::Errno("fsmount(tmpfs)", what);
  return mnt;
}

// The shared covers: one tmpfs, made detached, a directory of it cloned
// per cover and attached in its place. The tmpfs itself is never
// unmounted: an unmount waits for an RCU grace period (0.4 to 5 ms
// measured, on the command's path), and so does the release of a detached
// mount. It is attached at the first cover's path, under that cover's
// clone, which hides it from every path lookup; it goes with the mount
// namespace, in the one grace period its teardown waits for anyway.
ChildStatus MountShared(const Plan& plan) {
  const Cover* first = nullptr;
  size_t count = 0;
  for (const Cover& c : plan.covers) {
    if (!c.shared) continue;
    if (first == nullptr) first = &c;
    ++count;
    if (c.make_mountpoint) CORDON_CHILD_TRY(MakeMountpoint(c.path.c_str(), true));
  }
  if (first == nullptr) return ChildStatus::Ok();
  const char* what = first->path.c_str();
  ChildStatus st = ChildStatus::Ok();
  const int root = DetachedTmpfs(first->options.c_str(), first->flags, what, &st);
  if (root < 0) return st;
  int trees[8];
  size_t made = 0;
  for (; made < count && made < std::size(trees); ++made) {
    const char name[2] = {static_cast<char>('0' + made), '\0'};
    if (mkdirat(root, name, 0700) != 0 || fchmodat(root, name, 01777, 0) != 0) {
      st = ChildStatus::Errno("mkdir", what);
      break;
    }
    trees[made] = open_tree(root, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
    if (trees[made] < 0) {
      st = ChildStatus::Errno("open_tree(OPEN_TREE_CLONE)", what);
      break;
    }
  }
  if (st.ok()) st = Attach(root, what);
  close(root);
  size_t i = 0;
  for (const Cover& c : plan.covers) {
    if (!c.shared || i >= made) continue;
    if (st.ok()) st = Attach(trees[i], c.path.c_str());
    close(trees[i++]);
  }
  return st;
}

}  // namespace

ChildStatus Build(const Plan& plan, std::span<int> scratch, int* host_pts_fd) {
  // Our mounts must not propagate back to the host (they would not anyway
  // from a less privileged namespace, but make it explicit).
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return ChildStatus::Errno("mount(MS_REC|MS_PRIVATE)", "/");
  }

  // Clone every path that will be shown again before anything hides it.
  for (size_t i = 0; i < plan.binds.size(); ++i) {
    const Bind& bind = plan.binds[i];
    const char* from = bind.source.empty() ? bind.path.c_str() : bind.source.c_str();
    scratch[i] = open_tree(AT_FDCWD, from, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (scratch[i] < 0) return ChildStatus::Errno("open_tree(OPEN_TREE_CLONE)", from);
    if (bind.read_only) {
      CORDON_CHILD_TRY(
          SetReadOnly(scratch[i], "", AT_EMPTY_PATH | AT_RECURSIVE, bind.path.c_str()));
    }
  }
  // The layers live in the home, hidden below: make them now.
  std::span<int> layers = scratch.subspan(plan.binds.size(), plan.overlays.size());
  for (size_t i = 0; i < plan.overlays.size(); ++i) {
    CORDON_CHILD_TRY(MakeLayer(plan.overlays[i], &layers[i]));
  }
  *host_pts_fd = open("/dev/pts", O_PATH | O_DIRECTORY | O_CLOEXEC);

  // One call makes the whole inherited tree read-only; the clones above keep
  // their own flags, which is how writable roots stay writable.
  CORDON_CHILD_TRY(SetReadOnly(AT_FDCWD, "/", AT_RECURSIVE, "/"));

  bool shared_made = false;
  for (const Cover& cover : plan.covers) {
    if (cover.shared) {
      // At the first: the covers before it (/dev) hold its mountpoints.
      if (!shared_made) CORDON_CHILD_TRY(MountShared(plan));
      shared_made = true;
      continue;
    }
    if (cover.make_mountpoint) CORDON_CHILD_TRY(MakeMountpoint(cover.path.c_str(), true));
    if (mount("tmpfs", cover.path.c_str(), "tmpfs", cover.flags, cover.options.c_str()) != 0) {
      return ChildStatus::Errno("mount(tmpfs)", cover.path.c_str());
    }
    if (plan.minimal_dev && cover.path == "/dev") CORDON_CHILD_TRY(PopulateDev());
  }

  for (size_t i = 0; i < plan.binds.size(); ++i) {
    const Bind& bind = plan.binds[i];
    if (bind.make_mountpoint) CORDON_CHILD_TRY(MakeMountpoint(bind.path.c_str(), bind.is_dir));
    CORDON_CHILD_TRY(Attach(scratch[i], bind.path.c_str()));
    close(scratch[i]);
    scratch[i] = -1;
  }
  // After the binds: a cache may lie inside a bound path (~/go/pkg/mod in
  // ~/go), and the links lead into the bound layers. Before the covers turn
  // read-only, which would refuse the mountpoints and links; the flip is
  // not recursive, so the layers stay writable.
  for (size_t i = 0; i < plan.overlays.size(); ++i) {
    const Overlay& overlay = plan.overlays[i];
    if (overlay.make_mountpoint) CORDON_CHILD_TRY(MakeMountpoint(overlay.path.c_str(), true));
    CORDON_CHILD_TRY(Attach(layers[i], overlay.path.c_str()));
    close(layers[i]);
    layers[i] = -1;
  }
  for (const CacheLink& link : plan.cache_links) {
    CORDON_CHILD_TRY(MakeParents(link.path.c_str()));
    CORDON_CHILD_TRY(Symlink(link.target.c_str(), link.path.c_str()));
  }

  if (plan.mount_proc &&
      mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    return ChildStatus::Errno("mount(proc)", "/proc");
  }
  if (plan.mount_proc) {
    // The kernel checks writes to sysctls by uid alone, and a sandbox run by
    // root is uid 0 on the host: it could set kernel.core_pattern (a root
    // shell outside) or any other host-wide knob. The global parts of /proc
    // are read-only, whoever runs cordon.
    for (const char* p :
         {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs"}) {
      if (access(p, F_OK) == 0) CORDON_CHILD_TRY(SelfBind(p, true, true));
    }
  }

  // Pins before hides and protects, which a pin's clone would shadow; the
  // clone is recursive, so read-only binds already inside stay in it.
  for (const std::string& pin : plan.pins) CORDON_CHILD_TRY(SelfBind(pin.c_str(), false, true));
  CORDON_CHILD_TRY(HideAll(plan));
  for (const std::string& p : plan.protects) CORDON_CHILD_TRY(SelfBind(p.c_str(), true, true));

  for (const Cover& cover : plan.covers) {
    if (cover.read_only)
      CORDON_CHILD_TRY(SetReadOnly(AT_FDCWD, cover.path.c_str(), 0, cover.path.c_str()));
  }
  return ChildStatus::Ok();
}

}  // namespace cordon::sandbox::mount_view
