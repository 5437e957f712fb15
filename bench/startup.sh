#!/usr/bin/env bash
# Start-up cost of `cordon run` in wall time and CPU, against bare `true`,
# `env true` (one extra exec, no confinement), the kernel's floor (ns_floor:
# one clone into bubblewrap's seven namespaces, then exec; bench/ns_floor.cc),
# the kernel's floor under cordon's view (view_floor: the same clone, then
# only the kernel calls of the least view with cordon's guarantees;
# bench/view_floor.cc),
# the supervisor's floor (spawn_floor: spawn the command, wait for it;
# bench/spawn_floor.cc) and bubblewrap, in one hyperfine run (no
# intermediate shell: -N), so every row shares the noise.
#
# Rows: bare `true`; `env true`; `cordon run -- true` (namespaces tier);
# `cordon run --mode full-access -- true` (cordon's own work, nothing
# confined); bubblewrap; BENCH_BASELINE's `run -- true` and full-access when
# set; `cordon run --session -- true` (a command handed to the workspace's
# session, started before the runs: docs/session.md); and, when
# cordon-deny-syscall is found, the namespace-less tier
# (`cordon-deny-syscall --ns user -- cordon run`, as the tests force it)
# beside the namespaces tier under the same wrapper (`acct:EPERM`, a filter
# that changes nothing) and the wrapper alone. Then `cordon mcp
# --session-sandbox` `true` calls (bench/mcp_calls.py) unless BENCH_MCP=0.
#
# Wall: hyperfine's medians. CPU: user + system, hyperfine's means (it
# reports no median of them); both include the command's own CPU, so the
# overhead is the row's minus bare's.
#
# Usage: bench/startup.sh [PATH_TO_CORDON]
# Env: BENCH_RUNS (default 200), BENCH_WARMUP (default 20), BENCH_OUT,
# BENCH_BASELINE (another cordon binary, e.g. one built from main before a
# change: measured in the same run, so before and after share the noise),
# DENY_SYSCALL (cordon-deny-syscall; default: the build trees'),
# BENCH_MCP (0: skip the MCP calls), BENCH_MCP_CALLS (default 50), BENCH_PERF
# (0: skip the CPU counted by perf stat).
# Targets (issue 16): cordon's wall overhead over bare <= 0.5x bwrap's; its
# CPU overhead <= bwrap's; full-access within 1 ms of `env true`; the
# namespace-less tier's overhead <= the namespaces tier's.
BENCH_TOOLS=(hyperfine bwrap python3)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

runs=${BENCH_RUNS:-200}
warmup=${BENCH_WARMUP:-20}
stamp=$(date +%Y%m%d-%H%M%S)
json=$out/startup-$stamp.json
md=$out/startup-$stamp.md

bench_who
echo "cordon: $cordon (default policy, --no-config, scratch workspace and HOME)"
# Static, as cordon is: a dynamic floor would pay for loading libstdc++.
c++ -O2 -static -o "$scratch/ns_floor" "$bench_dir/ns_floor.cc"
c++ -O2 -static -o "$scratch/spawn_floor" "$bench_dir/spawn_floor.cc"
c++ -O2 -static -o "$scratch/view_floor" "$bench_dir/view_floor.cc"
extra=()
if [[ -n ${BENCH_BASELINE:-} ]]; then
  base=$(realpath "$BENCH_BASELINE")
  echo "baseline: $base"
  extra+=(-n baseline "$base run --no-config -- true"
    -n baseline-full-access "$base run --no-config --mode full-access -- true")
fi
deny=${DENY_SYSCALL:-}
if [[ -z $deny ]]; then
  for candidate in "$(dirname "$cordon")/tests/integration/cordon-deny-syscall" \
    "$repo_dir/build/tests/integration/cordon-deny-syscall"; do
    if [[ -x $candidate ]]; then
      deny=$candidate
      break
    fi
  done
fi
if [[ -n $deny && -x $deny ]]; then
  deny=$(realpath "$deny")
  echo "namespace-less tier: forced with $deny --ns user"
  extra+=(-n wrapped-bare "$deny acct:EPERM -- true"
    -n wrapped-namespaces "$deny acct:EPERM -- $cordon run --no-config -- true"
    -n wrapped-namespaceless "$deny --ns user -- $cordon run --no-config -- true")
else
  echo "namespace-less tier: not measured (no cordon-deny-syscall; set DENY_SYSCALL)"
fi
# The session row's sandbox, warm for the whole run (stopped on exit).
"$cordon" session start --no-config --idle-timeout 3600 2>/dev/null
trap '"$cordon" session stop --all >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT
session_pid=$("$cordon" session status --json |
  python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["pid"])')
# The full-access runs print a warning on stderr each time.
hyperfine -N --warmup "$warmup" --runs "$runs" --style basic --output=null \
  --export-json "$json" --export-markdown "$md" \
  -n bare "true" \
  -n env "env true" \
  -n cordon "$cordon run --no-config -- true" \
  -n full-access "$cordon run --no-config --mode full-access -- true" \
  -n session "$cordon run --session --no-config -- true" \
  -n floor "$scratch/ns_floor true" \
  -n view-floor "$scratch/view_floor true" \
  -n spawn-floor "$scratch/spawn_floor true" \
  -n bwrap "bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --unshare-all --die-with-parent --new-session true" \
  "${extra[@]}"

python3 - "$json" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
ms = lambda s: s * 1000
cpu = lambda r: r["user"] + r["system"]
bare, bwrap = res["bare"], res["bwrap"]
print()
print(f"{'':22} {'wall med':>9} {'over bare':>9} {'user':>8} {'system':>8} {'CPU over bare':>13}")
for name, r in res.items():
    ref = res["wrapped-bare"] if name.startswith("wrapped-") else bare
    print(f"{name:22} {ms(r['median']):7.2f}ms {ms(r['median'] - ref['median']):7.2f}ms "
          f"{ms(r['user']):6.2f}ms {ms(r['system']):6.2f}ms {ms(cpu(r) - cpu(ref)):11.2f}ms")

def ratios(name, r):
    wall = (r["median"] - bare["median"]) / (bwrap["median"] - bare["median"])
    c = (cpu(r) - cpu(bare)) / (cpu(bwrap) - cpu(bare))
    print(f"{name}: wall overhead / bwrap's = {wall:.2f} (target <= 0.50: "
          f"{'meets' if wall <= 0.5 else 'MISSES'}); CPU overhead / bwrap's = {c:.2f} "
          f"(target <= 1.00: {'meets' if c <= 1 else 'MISSES'})")

print()
ratios("floor (the namespaces alone)", res["floor"])
ratios("view floor (the kernel calls of cordon's view alone)", res["view-floor"])
ratios("cordon", res["cordon"])
ratios("session", res["session"])
print("  (session CPU: the client's alone here; the session's share is in perf's rows below)")
if "baseline" in res:
    ratios("baseline", res["baseline"])
    oc = res["cordon"]["median"] - bare["median"]
    ob = res["baseline"]["median"] - bare["median"]
    print(f"cordon / baseline: wall overhead {oc / ob:.2f}, CPU overhead "
          f"{(cpu(res['cordon']) - cpu(bare)) / (cpu(res['baseline']) - cpu(bare)):.2f}")
fa, env, sf = res["full-access"], res["env"], res["spawn-floor"]
print(f"full-access over env true: wall {ms(fa['median'] - env['median']):.2f} ms "
      f"(target <= 1 ms), CPU {ms(cpu(fa) - cpu(env)):.2f} ms")
print(f"  the supervisor's floor (spawn_floor) over env true: wall "
      f"{ms(sf['median'] - env['median']):.2f} ms, CPU {ms(cpu(sf) - cpu(env)):.2f} ms; "
      f"full-access over it: wall {ms(fa['median'] - sf['median']):.2f} ms, "
      f"CPU {ms(cpu(fa) - cpu(sf)):.2f} ms")
if "baseline-full-access" in res:
    b = res["baseline-full-access"]
    print(f"baseline full-access over env true: wall {ms(b['median'] - env['median']):.2f} ms, "
          f"CPU {ms(cpu(b) - cpu(env)):.2f} ms")
if "wrapped-namespaceless" in res:
    wb = res["wrapped-bare"]
    ns = res["wrapped-namespaces"]["median"] - wb["median"]
    nl = res["wrapped-namespaceless"]["median"] - wb["median"]
    cns = cpu(res["wrapped-namespaces"]) - cpu(wb)
    cnl = cpu(res["wrapped-namespaceless"]) - cpu(wb)
    print(f"namespace-less / namespaces tier overhead: wall {nl / ns:.2f}, CPU {cnl / cns:.2f} "
          f"(target <= 1.00)")
PY
echo "results: $json, $md"

# CPU again, counted by perf: hyperfine's user + system come from the
# rusage of the processes it reaps, and a process its child never reaps is
# not in them. bwrap's outer process exits without reaping the sandbox's
# pid 1 (so neither that process, nor `true` inside, nor the namespaces'
# teardown is in bwrap's CPU above); cordon reaps its init. perf stat's
# task-clock counts every task of the run, reaped or not.
if [[ ${BENCH_PERF:-1} != 0 ]] && perf stat -e task-clock -x, true >/dev/null 2>&1; then
  rounds=${BENCH_PERF_ROUNDS:-8}
  per=$(((runs + rounds - 1) / rounds))
  echo
  echo "CPU per run by perf stat (task-clock of every task of the run): $rounds rounds of $per" \
    "runs, the commands interleaved; medians of the rounds' means"
  cpu_of() {
    perf stat -r "$per" -e task-clock -x, "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ {print $1}'
  }
  # A session's work is done by its daemon and sandbox, which no run
  # reaps: their CPU is read off the session's process tree (utime, stime
  # and what it reaped) before and after, and shared out per session run.
  tree_cpu() {
    python3 - "$session_pid" <<'PY'
import os, sys
root = int(sys.argv[1]); tick = os.sysconf("SC_CLK_TCK"); procs = {}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    procs[int(pid)] = (int(f[1]), sum(int(x) for x in f[11:15]))
tree, total = {root}, 0
for _ in range(8):
    tree |= {p for p, (pp, _) in procs.items() if pp in tree}
print(sum(procs[p][1] for p in tree if p in procs) * 1000 / tick)
PY
  }
  session_before=$(tree_cpu)
  session_runs=0
  perf_rows=()
  for ((round = 0; round < rounds; round++)); do
    perf_rows+=("bare $(cpu_of true)")
    perf_rows+=("env $(cpu_of env true)")
    perf_rows+=("floor $(cpu_of "$scratch/ns_floor" true)")
    perf_rows+=("view-floor $(cpu_of "$scratch/view_floor" true)")
    perf_rows+=("spawn-floor $(cpu_of "$scratch/spawn_floor" true)")
    perf_rows+=("bwrap $(cpu_of bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp \
      --unshare-all --die-with-parent --new-session true)")
    perf_rows+=("cordon $(cpu_of "$cordon" run --no-config -- true)")
    perf_rows+=("full-access $(cpu_of "$cordon" run --no-config --mode full-access -- true)")
    perf_rows+=("session-client $(cpu_of "$cordon" run --session --no-config -- true)")
    session_runs=$((session_runs + per))
    if [[ -n ${base:-} ]]; then
      perf_rows+=("baseline $(cpu_of "$base" run --no-config -- true)")
    fi
  done
  echo "session-tree $(python3 -c "print(($(tree_cpu) - $session_before) / $session_runs)")" \
    >>"$scratch/perf-rows.extra"
  printf '%s\n' "${perf_rows[@]}" >"$scratch/perf-rows"
  cat "$scratch/perf-rows.extra" >>"$scratch/perf-rows"
  python3 - "$scratch/perf-rows" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, value = line.split()
    rows[name].append(float(value))
m = {k: statistics.median(v) for k, v in rows.items()}
for k, v in rows.items():
    print(f"{k:12} {m[k]:7.2f} ms  (rounds: {min(v):.2f} to {max(v):.2f})")
over = lambda k: (m[k] - m["bare"]) / (m["bwrap"] - m["bare"])
verdict = "meets" if over("cordon") <= 1 else "MISSES"
extra = f", baseline {over('baseline'):.2f}" if "baseline" in m else ""
print(f"CPU overhead / bwrap's (perf): cordon {over('cordon'):.2f} (target <= 1.00: {verdict}), "
      f"floor {over('floor'):.2f}, view floor {over('view-floor'):.2f}{extra}")
print(f"full-access over env true (perf): {m['full-access'] - m['env']:.2f} ms; the supervisor's "
      f"floor over env true {m['spawn-floor'] - m['env']:.2f} ms, full-access over it "
      f"{m['full-access'] - m['spawn-floor']:.2f} ms")
m["session"] = m["session-client"] + m["session-tree"]
print(f"session: {m['session']:.2f} ms a run (its client {m['session-client']:.2f} ms, its daemon "
      f"and sandbox {m['session-tree']:.2f} ms); CPU overhead / bwrap's {over('session'):.2f}")
PY
fi

if [[ ${BENCH_MCP:-1} != 0 ]]; then
  echo
  echo "cordon mcp: a fresh sandbox per call against --session-sandbox (bench/mcp_calls.py)"
  python3 "$bench_dir/mcp_calls.py" "$cordon" "${BENCH_MCP_CALLS:-50}" true
fi
