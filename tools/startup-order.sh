#!/usr/bin/env bash
# Writes cmake/startup-order.txt: the functions a cordon start runs, for
# lld's --symbol-ordering-file (CMakeLists.txt, CORDON_ORDER_FUNCTIONS).
#
# Why: a page of cordon's 5 MB of code is read from the page cache on first
# touch, 16 pages at a time; on the paravirtualized guests we measure on,
# each such fault costs about 16 us and each further page first touched
# about 0.5 us. Left in link order, the few hundred functions a start runs
# are spread over the whole text (65 faults for `--mode full-access`); side
# by side they take 19 (bench/README.md, "Issue 16, fifth round").
#
# How: callgrind lists every function the cordon process itself runs for
# the common command lines (complete, in the order it first sees them);
# perf adds what runs where valgrind cannot follow (the sandbox's init and
# the command's start inside namespaces and Landlock), from samples and
# from every page fault; an earlier list adds what the binary still has.
# A stale list costs start-up time, never correctness: a name that no
# longer exists is skipped, a function missing from it is laid out after.
# Run it after changing what a start runs, from a default Release build,
# as an unprivileged user.
#
# Usage: tools/startup-order.sh CORDON [OUT]
# Needs: valgrind, perf.
set -euo pipefail

cordon=$(realpath "$1")
out=$(realpath -m "${2:-$(dirname "$0")/../cmake/startup-order.txt}")
for tool in valgrind perf; do
  command -v "$tool" >/dev/null || { echo "startup-order: $tool is needed" >&2; exit 2; }
done

scratch=$(mktemp -d)
export XDG_STATE_HOME="$scratch/state" XDG_CONFIG_HOME="$scratch/config"
trap '"$cordon" session stop --all >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT
mkdir -p "$scratch/ws" && cd "$scratch/ws"
git init -q .

commands=(
  "run --mode full-access -q -- true"
  "run -q -- true"
  "run --session -q -- true"
  "--version"
  "policy show"
)
"$cordon" session start --idle-timeout 600 >/dev/null 2>&1

# 1. callgrind: every function of the process, in the order first seen.
n=0
for args in "${commands[@]}"; do
  n=$((n + 1))
  # shellcheck disable=SC2086  # the command lines above are word lists
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$scratch/cg.$n" \
    "$cordon" $args >/dev/null 2>&1 || true
done

# 2. perf: what runs beyond valgrind's reach (the sandbox's init, under
# Landlock), from samples of user time and from every page fault (a fault
# on code names the function first run in its 64 KB; this also finds the
# variants of glibc's string functions this CPU picks, which are not the
# ones valgrind's CPU made it pick).
runs=200
for event in "cpu-clock:u -F 20000" "page-faults:u -c 1"; do
  # shellcheck disable=SC2086,SC2016  # the event's words; expanded by the inner shell
  perf record -q -e $event -o "$scratch/perf.data" -- \
    bash -c 'for i in $(seq "$1"); do
      "$2" run -q -- true; "$2" run --session -q -- true; "$2" run --mode full-access -q -- true
    done' \
    _ "$runs" "$cordon" >/dev/null 2>&1
  perf script -i "$scratch/perf.data" --no-demangle -F comm,ip,sym 2>/dev/null |
    awk -v c="$(basename "$cordon" | cut -c1-15)" '$1 == c && NF >= 3 {print $3}'
done | sort | uniq -c | sort -rn | awk '{print $2}' >"$scratch/sampled"

{
  for f in "$scratch"/cg.*; do
    sed -nE 's/^c?fn=\([0-9]+\) ([^ ]+)$/\1/p' "$f" | sed -E "s/'[0-9]+$//"
  done
  cat "$scratch/sampled"
  # What an earlier list found and the binary still has: a function a
  # sample missed this time, or that no longer faults because the list
  # put it beside others.
  if [[ -f $out ]]; then
    nm --defined-only "$cordon" | awk '{print $3}' | sort -u >"$scratch/defined"
    grep -Fxf "$scratch/defined" "$out" || true
  fi
} | grep -vE '^(0x|\(below|\[)' | awk '!seen[$0]++' >"$out.new"
mv "$out.new" "$out"
echo "startup-order: $(wc -l <"$out") functions in $out"
