#!/usr/bin/env bash
# A file-heavy workload (bench/filestorm.cc: thousands of small file creates,
# stats, reads and removals in the workspace), bare against inside cordon.
#
# Usage: bench/workload.sh [PATH_TO_CORDON]
# Env: BENCH_FILES (default 3000), BENCH_ROUNDS (default 1), BENCH_RUNS
# (default 20), BENCH_OUT.
# Target (issue 2): overhead under 2 %.
BENCH_TOOLS=(hyperfine c++ python3)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

files=${BENCH_FILES:-3000}
rounds=${BENCH_ROUNDS:-1}
runs=${BENCH_RUNS:-20}
stamp=$(date +%Y%m%d-%H%M%S)
json=$out/workload-$stamp.json
md=$out/workload-$stamp.md

# Built here, into the workspace, so the sandbox can run it too.
c++ -O2 -std=c++20 -o "$ws/filestorm" "$bench_dir/filestorm.cc"
mkdir -p "$ws/storm"

bench_who
echo "cordon: $cordon; workload: filestorm, $files files x $rounds rounds in $ws/storm"
hyperfine -N --warmup 3 --runs "$runs" --style basic \
  --export-json "$json" --export-markdown "$md" \
  -n bare "$ws/filestorm $ws/storm $files $rounds" \
  -n cordon "$cordon run --no-config -- $ws/filestorm $ws/storm $files $rounds" \
  -n bwrap "bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --bind $ws $ws --unshare-all --die-with-parent --new-session $ws/filestorm $ws/storm $files $rounds"

python3 - "$json" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
bare = res["bare"]
print()
for name in ("cordon", "bwrap"):
    r = res[name]
    med = (r["median"] / bare["median"] - 1) * 100
    mean = (r["mean"] / bare["mean"] - 1) * 100
    print(f"{name:7} {r['median']*1000:8.1f} ms median vs bare {bare['median']*1000:.1f} ms: "
          f"overhead {med:+.2f} % (median), {mean:+.2f} % (mean)")
over = (res["cordon"]["median"] / bare["median"] - 1) * 100
print(f"\ncordon workload overhead {over:+.2f} %; target < 2 %: {'meets' if over < 2 else 'MISSES'}")
PY
echo "results: $json, $md"
