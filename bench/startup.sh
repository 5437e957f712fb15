#!/usr/bin/env bash
# Startup overhead of `cordon run` against bare `true` and bubblewrap, in one
# hyperfine run (no intermediate shell: -N).
#
# Usage: bench/startup.sh [PATH_TO_CORDON]
# Env: BENCH_RUNS (default 200), BENCH_WARMUP (default 20), BENCH_OUT,
# BENCH_BASELINE (another cordon binary, e.g. one built from main before a
# change: measured in the same run, so before and after share the noise).
# Target (issue 2): cordon's overhead over bare at most half of bwrap's.
BENCH_TOOLS=(hyperfine bwrap python3)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

runs=${BENCH_RUNS:-200}
warmup=${BENCH_WARMUP:-20}
stamp=$(date +%Y%m%d-%H%M%S)
json=$out/startup-$stamp.json
md=$out/startup-$stamp.md

bench_who
echo "cordon: $cordon (default policy, --no-config, scratch workspace and HOME)"
baseline=()
if [[ -n ${BENCH_BASELINE:-} ]]; then
  echo "baseline: $BENCH_BASELINE"
  baseline=(-n baseline "$(realpath "$BENCH_BASELINE") run --no-config -- true")
fi
hyperfine -N --warmup "$warmup" --runs "$runs" --style basic \
  --export-json "$json" --export-markdown "$md" \
  -n bare "true" \
  -n cordon "$cordon run --no-config -- true" \
  "${baseline[@]}" \
  -n bwrap "bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --unshare-all --die-with-parent --new-session true"

python3 - "$json" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
ms = lambda s: s * 1000
bare, cordon, bwrap = (res[n] for n in ("bare", "cordon", "bwrap"))
print()
print(f"{'':8} {'median':>9} {'mean':>9} {'stddev':>9} {'overhead (median)':>18}")
rows = [("bare", bare), ("cordon", cordon), ("bwrap", bwrap)]
if "baseline" in res:
    rows.insert(2, ("baseline", res["baseline"]))
for name, r in rows:
    over = ms(r["median"] - bare["median"])
    print(f"{name:8} {ms(r['median']):7.2f}ms {ms(r['mean']):7.2f}ms {ms(r['stddev']):7.2f}ms {over:15.2f} ms")
oc = cordon["median"] - bare["median"]
ob = bwrap["median"] - bare["median"]
ratio = oc / ob if ob > 0 else float("inf")
mean_ratio = (cordon["mean"] - bare["mean"]) / (bwrap["mean"] - bare["mean"])
verdict = "meets" if ratio <= 0.5 else "MISSES"
print(f"\ncordon overhead / bwrap overhead = {ratio:.2f} (medians), {mean_ratio:.2f} (means); "
      f"target <= 0.50: {verdict}")
if "baseline" in res:
    base = res["baseline"]
    ob0 = base["median"] - bare["median"]
    print(f"baseline overhead / bwrap overhead = {ob0 / ob if ob > 0 else float('inf'):.2f} "
          f"(medians); cordon / baseline overhead = {oc / ob0 if ob0 > 0 else float('inf'):.2f}")
PY
echo "results: $json, $md"
