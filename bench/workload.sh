#!/usr/bin/env bash
# Two workloads in the workspace, bare against inside cordon (and bwrap):
#  - filestorm (bench/filestorm.cc): thousands of small file creates, stats,
#    reads and removals; nothing but filesystem syscalls, the worst case for
#    Landlock, which checks every open, create and unlink;
#  - compile: c++ -O1 of filestorm.cc, a typical agent command (reads a few
#    hundred headers, mostly CPU).
#
# Usage: bench/workload.sh [PATH_TO_CORDON]
# Env: BENCH_FILES (default 3000), BENCH_ROUNDS (default 20), BENCH_RUNS
# (default 20), BENCH_OUT, BENCH_WORKLOAD_FS (tmpfs, the default: the
# scratch workspace lives in /dev/shm; disk: in $TMPDIR or /tmp).
# Target (issue 2): overhead under 2 %.
#
# Why tmpfs by default: on a disk filesystem the workload's time is dominated
# by the journal and writeback, which drift by 20 % and more between
# identical back-to-back runs on a small VM; a 2 % effect drowns in that.
# On tmpfs the same workload is stable to about 2 %, and what is left to
# measure is what cordon adds: path lookups through the mount view and
# Landlock's checks on every open, create and unlink.
BENCH_TOOLS=(hyperfine c++ python3)
if [[ ${BENCH_WORKLOAD_FS:-tmpfs} == tmpfs ]]; then
  if [[ -d /dev/shm && -w /dev/shm ]]; then
    export TMPDIR=/dev/shm
  else
    echo "bench: /dev/shm is not writable; set BENCH_WORKLOAD_FS=disk" >&2
    exit 2
  fi
fi
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

files=${BENCH_FILES:-3000}
rounds=${BENCH_ROUNDS:-20}
runs=${BENCH_RUNS:-20}
stamp=$(date +%Y%m%d-%H%M%S)
json=$out/workload-$stamp.json
md=$out/workload-$stamp.md

# Built here, into the workspace, so the sandbox can run it too.
c++ -O2 -std=c++20 -o "$ws/filestorm" "$bench_dir/filestorm.cc"
mkdir -p "$ws/storm"

bench_who
echo "cordon: $cordon; workload: filestorm, $files files x $rounds rounds in $ws/storm ($(stat -f -c %T "$ws"))"
hyperfine -N --warmup 3 --runs "$runs" --style basic \
  --export-json "$json" --export-markdown "$md" \
  -n bare "$ws/filestorm $ws/storm $files $rounds" \
  -n cordon "$cordon run --no-config -- $ws/filestorm $ws/storm $files $rounds" \
  -n bwrap "bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --bind $ws $ws --unshare-all --die-with-parent --new-session $ws/filestorm $ws/storm $files $rounds"

cp "$bench_dir/filestorm.cc" "$ws/compile.cc"
compile="c++ -O1 -std=c++20 -c $ws/compile.cc -o $ws/compile.o"
hyperfine -N --warmup 2 --runs "$runs" --style basic \
  --export-json "$out/compile-$stamp.json" --export-markdown "$out/compile-$stamp.md" \
  -n bare "$compile" \
  -n cordon "$cordon run --no-config -- $compile" \
  -n bwrap "bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --bind $ws $ws --unshare-all --die-with-parent --new-session $compile"

python3 - "$json" "$out/compile-$stamp.json" <<'PY'
import json, sys
print()
for label, path in (("filestorm", sys.argv[1]), ("compile", sys.argv[2])):
    res = {r["command"]: r for r in json.load(open(path))["results"]}
    bare = res["bare"]
    for name in ("cordon", "bwrap"):
        r = res[name]
        med = (r["median"] / bare["median"] - 1) * 100
        mean = (r["mean"] / bare["mean"] - 1) * 100
        print(f"{label:9} {name:7} {r['median']*1000:8.1f} ms median vs bare {bare['median']*1000:.1f} ms: "
              f"overhead {med:+.2f} % (median), {mean:+.2f} % (mean)")
    over = (res["cordon"]["median"] / bare["median"] - 1) * 100
    print(f"{label:9} cordon overhead {over:+.2f} %; target < 2 %: {'meets' if over < 2 else 'MISSES'}\n")
PY
echo "results: $json, $md, $out/compile-$stamp.{json,md}"
