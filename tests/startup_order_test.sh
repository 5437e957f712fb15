#!/usr/bin/env bash
# Checks that cordon was linked in start-up order (CMakeLists.txt,
# CORDON_ORDER_FUNCTIONS): the functions cmake/startup-order.txt names lie
# side by side at the start of the code, and the list still names what the
# binary has (a list gone stale after a refactor silently costs start-up
# time: regenerate it with tools/startup-order.sh).
#
# Usage: startup_order_test.sh CORDON ORDER_FILE
set -euo pipefail
cordon=$1
order=$2

# Function symbols with an address and a size: "address size name".
nm --defined-only -S "$cordon" | awk '$3 ~ /^[tTwW]$/ && $2 != "" {print $1, $2, $4}' |
  python3 -c '
import sys
order_path = sys.argv[1]
listed = [l.strip() for l in open(order_path) if l.strip()]
funcs = {}
for line in sys.stdin:
    addr, size, name = line.split()
    funcs.setdefault(name, (int(addr, 16), int(size, 16)))
present = [n for n in listed if n in funcs]
share = len(present) / len(listed)
print(f"{len(present)} of {len(listed)} listed functions are in the binary ({share:.0%})")
# A stale list: most of what it names is gone.
if share < 0.6:
    sys.exit("the list is stale: regenerate it (tools/startup-order.sh)")
listed_set = set(present)
lo = min(funcs[n][0] for n in present)
hi = max(funcs[n][0] + funcs[n][1] for n in present)
listed_bytes = sum(funcs[n][1] for n in present)
# Unlisted functions inside the span: the rest of an object file without
# function sections (glibc), or the list not applied at all.
between = sum(s for n, (a, s) in funcs.items() if n not in listed_set and lo <= a < hi)
print(f"listed: {listed_bytes} bytes in a span of {hi - lo}; unlisted inside it: {between}")
text_lo = min(a for a, s in funcs.values())
text_hi = max(a + s for a, s in funcs.values())
print(f"the span is {(hi - lo) / (text_hi - text_lo):.0%} of the code")
if between > listed_bytes:
    sys.exit("the listed functions are not side by side: the order was not applied")
' "$order"
