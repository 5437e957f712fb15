# What a process of one call of a session sandbox tries against another
# process (mcp_test.mjs copies it into the workspace and runs it inside the
# sandbox): write into its stdout and read its stdin through /proc/PID/fd,
# read its environment, ptrace it, send it SIGTERM. Each attempt's outcome
# ("ok" or the errno's name) goes, as JSON, to the file OUT.
#
#   python3 cross_call.py MARKER OUT           the process whose command line
#                                              holds MARKER (another call's)
#   python3 cross_call.py --spawn MARKER OUT   its own child `sleep MARKER`
#                                              (the twin: same call)
import ctypes
import errno
import faulthandler
import json
import os
import signal
import subprocess
import sys
import time

PTRACE_ATTACH, PTRACE_DETACH = 16, 17


def find(marker):
    deadline = time.time() + 10
    while time.time() < deadline:
        for p in os.listdir("/proc"):
            if not p.isdigit() or int(p) == os.getpid():
                continue
            try:
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    if f.read().split(b"\0")[:2] == [b"sleep", marker.encode()]:
                        return int(p)
            except OSError:
                pass
        time.sleep(0.05)
    sys.exit(f"no process runs sleep {marker}")


def attempt(fn):
    try:
        return fn() or "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def main():
    # A hang shows where, instead of timing the test out.
    faulthandler.dump_traceback_later(8, exit=True)
    spawn = sys.argv[1] == "--spawn"
    marker, out = sys.argv[-2], sys.argv[-1]
    child = subprocess.Popen(["sleep", marker]) if spawn else None
    pid = child.pid if spawn else find(marker)
    libc = ctypes.CDLL(None, use_errno=True)

    def write():
        fd = os.open(f"/proc/{pid}/fd/1", os.O_WRONLY)
        os.write(fd, b"FORGED by another call\n")
        os.close(fd)

    def read():
        fd = os.open(f"/proc/{pid}/fd/0", os.O_RDONLY | os.O_NONBLOCK)
        try:
            os.read(fd, 4096)
        except BlockingIOError:
            pass
        os.close(fd)

    def environ():
        with open(f"/proc/{pid}/environ", "rb") as f:
            f.read()

    def ptrace():
        if libc.ptrace(PTRACE_ATTACH, pid, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "ptrace")
        os.waitpid(pid, 0x40000000)  # __WALL: the tracee is not our child
        libc.ptrace(PTRACE_DETACH, pid, 0, 0)

    result = {
        "write": attempt(write),
        "read": attempt(read),
        "environ": attempt(environ),
        "ptrace": attempt(ptrace),
        "signal": attempt(lambda: os.kill(pid, signal.SIGTERM)),
    }
    if child:
        # A SIGTERM that came while it was still stopped by the attach.
        os.kill(pid, signal.SIGCONT)
        try:
            child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            child.kill()
    with open(out, "w") as f:
        json.dump(result, f)


main()
