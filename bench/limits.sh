#!/usr/bin/env bash
# Start-up cost of the resource limits (docs/limits.md): `cordon run -- true`
# with the default limits against the same run with every limit lifted
# (`none`), side by side in one hyperfine run (-N, no shell). As root the
# limits make the run's cgroup; as a user without a delegated cgroup they
# are rlimits and the tmpfs size. Target (issue 15): under 0.2 ms.
#
# Usage: bench/limits.sh [PATH_TO_CORDON] ; Env: BENCH_RUNS, BENCH_WARMUP.
BENCH_TOOLS=(hyperfine python3)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

runs=${BENCH_RUNS:-300}
warmup=${BENCH_WARMUP:-20}
json=$out/limits-$(date +%Y%m%d-%H%M%S).json

bench_who
hyperfine -N --warmup "$warmup" --runs "$runs" --style basic --export-json "$json" \
  -n limited "$cordon run --no-config -- true" \
  -n unlimited "$cordon run --no-config --memory none --pids none --cpus none --tmp-size none -- true" \
  -n limited-again "$cordon run --no-config -- true"

python3 - "$json" <<'PY'
import json, statistics, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
def med(name, key="times"):
    return statistics.median(res[name][key]) * 1e3
lim = (med("limited") + med("limited-again")) / 2
free = med("unlimited")
cpu = lambda n: (res[n]["user"] + res[n]["system"]) * 1e3
print(f"\nmedians: limited {lim:.3f} ms, unlimited {free:.3f} ms: limits cost {lim - free:+.3f} ms wall")
print(f"mean CPU (user+system): limited {(cpu('limited') + cpu('limited-again')) / 2:.3f} ms, unlimited {cpu('unlimited'):.3f} ms")
PY
