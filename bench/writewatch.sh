#!/usr/bin/env bash
# The cost of the write watcher (approval policy on-failure): every
# write-intent path call (open with a write flag, creat, mkdir, unlink,
# rename...) is a round trip to the sandbox's init, which reads the path and
# answers CONTINUE. A write-heavy shell loop in the workspace, under
# `--approval never` (no watcher) and `--approval on-failure` (watcher), side
# by side in one hyperfine run, plus the bare loop.
#
# Usage: bench/writewatch.sh [PATH_TO_CORDON] ; Env: BENCH_FILES (default
# 2000), BENCH_RUNS (default 30), BENCH_WARMUP (default 3). The workspace is
# made under $TMPDIR: TMPDIR=/dev/shm measures on tmpfs (stable; on this
# VM's disk the figures drift by tens of percent between runs).
BENCH_TOOLS=(hyperfine python3)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

files=${BENCH_FILES:-2000}
runs=${BENCH_RUNS:-30}
warmup=${BENCH_WARMUP:-3}
json=$out/writewatch-$(date +%Y%m%d-%H%M%S).json
# Each file: one open(O_WRONLY|O_CREAT|O_TRUNC) by the shell; then one
# unlinkat per file by rm. No fork per file, so the calls dominate.
loop="mkdir -p w && cd w && i=0; while [ \$i -lt $files ]; do echo x > f\$i; i=\$((i+1)); done; cd .. && rm -r w"

bench_who
echo "workload: $files files created by sh, then removed by rm -r (2 watched calls per file)"
hyperfine -N --warmup "$warmup" --runs "$runs" --style basic --export-json "$json" \
  -n bare "sh -c '$loop'" \
  -n never "$cordon run --no-config --approval never -- sh -c '$loop'" \
  -n on-failure "$cordon run --no-config --approval on-failure -- sh -c '$loop'"

python3 - "$json" "$files" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
files = int(sys.argv[2])
bare, never, watch = (res[n]["median"] for n in ("bare", "never", "on-failure"))
print(f"\nmedians: bare {bare*1e3:.1f} ms, never {never*1e3:.1f} ms, on-failure {watch*1e3:.1f} ms")
print(f"ratio on-failure/never = {watch/never:.2f}; "
      f"per watched call: {(watch-never)/(2*files)*1e6:.1f} us")
PY
echo "results: $json"
