#!/usr/bin/env bash
# Startup of the namespace-less tier against the full (namespace) tier, side
# by side in one hyperfine run (-N, no shell). Both run under
# cordon-deny-syscall so they pay the same wrapper: `--ns user` forces the
# namespace-less tier (clone with CLONE_NEWUSER fails with EPERM, as under
# AppArmor), `acct:EPERM` is a filter that changes nothing.
#
# Usage: bench/tiers.sh [PATH_TO_CORDON] ; Env: DENY_SYSCALL (default: the
# build tree's tests/integration/cordon-deny-syscall), BENCH_RUNS, BENCH_WARMUP.
BENCH_TOOLS=(hyperfine python3)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

deny=${DENY_SYSCALL:-$(dirname "$cordon")/tests/integration/cordon-deny-syscall}
[[ -x $deny ]] || deny=$bench_dir/../build/tests/integration/cordon-deny-syscall
[[ -x $deny ]] || { echo "tiers.sh: cordon-deny-syscall not found (set DENY_SYSCALL)" >&2; exit 1; }
runs=${BENCH_RUNS:-200}
warmup=${BENCH_WARMUP:-20}
json=$out/tiers-$(date +%Y%m%d-%H%M%S).json

bench_who
hyperfine -N --warmup "$warmup" --runs "$runs" --style basic --export-json "$json" \
  -n bare "$deny acct:EPERM -- true" \
  -n namespaces "$deny acct:EPERM -- $cordon run --no-config -- true" \
  -n namespace-less "$deny --ns user -- $cordon run --no-config -- true"

python3 - "$json" <<'PY'
import json, sys
res = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
bare, full, nsl = res["bare"]["median"], res["namespaces"]["median"], res["namespace-less"]["median"]
print(f"\nmedians: bare {bare*1e3:.2f} ms, namespaces {full*1e3:.2f} ms, namespace-less {nsl*1e3:.2f} ms")
print(f"overhead: namespaces {(full-bare)*1e3:.2f} ms, namespace-less {(nsl-bare)*1e3:.2f} ms; "
      f"ratio namespace-less/namespaces = {(nsl-bare)/(full-bare):.2f}")
PY
echo "results: $json"
