#!/usr/bin/env bash
# Peak RSS of cordon's supervisor during `cordon run -- sleep 1`.
#
# Usage: bench/rss.sh [PATH_TO_CORDON]
# Env: BENCH_RUNS (default 5).
# Two figures per run: VmHWM of the supervisor process itself, read from
# /proc/PID/status until it exits (the figure the target is about), and
# /usr/bin/time's %M, which is the larger of the supervisor's peak and that
# of any process it waited for (so it can include the sandboxed command).
# Target (issue 2): supervisor peak RSS under 4 MiB.
BENCH_TOOLS=(python3 /usr/bin/time)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

runs=${BENCH_RUNS:-5}
bench_who
echo "cordon: $cordon run --no-config -- sleep 1"
python3 - "$cordon" "$runs" <<'PY'
import os, re, statistics, subprocess, sys, tempfile, time
cordon, runs = sys.argv[1], int(sys.argv[2])
cmd = [cordon, "run", "--no-config", "--", "sleep", "1"]

def hwm_of_run():
    p = subprocess.Popen(cmd)
    hwm = 0
    path = f"/proc/{p.pid}/status"
    while p.poll() is None:
        try:
            with open(path) as f:
                m = re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M)
            if m:
                hwm = max(hwm, int(m.group(1)))
        except OSError:
            pass
        time.sleep(0.002)
    if p.returncode != 0:
        sys.exit(f"rss: {' '.join(cmd)} exited {p.returncode}")
    return hwm

def time_m():
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out.name] + cmd, check=True)
        return int(out.read().split()[-1])

hwm = [hwm_of_run() for _ in range(runs)]
tm = [time_m() for _ in range(runs)]
kib = lambda v: f"{v} KiB ({v / 1024:.2f} MiB)"
print(f"supervisor VmHWM   over {runs} runs: median {kib(int(statistics.median(hwm)))}, max {kib(max(hwm))}")
print(f"/usr/bin/time %M   over {runs} runs: median {kib(int(statistics.median(tm)))}, max {kib(max(tm))}")
print(f"target: supervisor peak < 4 MiB: {'meets' if max(hwm) < 4096 else 'MISSES'}")
PY
