#!/usr/bin/env bash
# Client-side CPU instructions per call, tapis against raw reqwest, counted
# by valgrind's callgrind: unlike wall-clock ratios, these do not move with
# the load of a shared machine. Counts only the client process (the server
# child runs natively). Takes about 5 minutes; not part of the test command.
# Usage: bash benches/instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v valgrind > /dev/null; then
    echo "needs valgrind (apt install valgrind)" >&2
    exit 1
fi
bench=$(cargo bench --locked --no-default-features --features systems --bench calls --no-run 2>&1 \
    | sed -n 's/.*Executable .*(\(.*\)).*/\1/p')

# Totals of one run (SIDE, sequential calls, concurrent calls): instructions,
# L1 instruction-cache misses, L1 data-cache write misses (callgrind's cache
# model). The misses are what moving large futures costs: a `memcpy` of a
# few kilobytes is few instructions but writes many cold cache lines.
count() {
    local out
    out=$(mktemp)
    TAPIS_BENCH_SIDE=$1 TAPIS_BENCH_CALLS=$2 TAPIS_BENCH_CONCURRENT_CALLS=$3 \
        TAPIS_BENCH_ROUNDS=1 TAPIS_BENCH_BUILDS=1 \
        valgrind --tool=callgrind --cache-sim=yes --callgrind-out-file="$out" "$bench" --bench \
        > /dev/null 2>&1
    # events: Ir Dr Dw I1mr D1mr D1mw ...
    sed -n 's/^summary: *//p' "$out" | awk '{print $1, $4, $6}'
    rm -f "$out"
}

# Two runs that differ only in the number of calls: the difference divided
# by the extra calls is the cost of one call (warm-up, construction and the
# stale-token part cancel out).
per_call() { # base run, longer run, extra calls -> "instructions I1-misses D1-write-misses" per call
    paste -d' ' <(tr ' ' '\n' <<< "$1") <(tr ' ' '\n' <<< "$2") \
        | awk -v n="$3" '{printf "%s%d", (NR > 1 ? " / " : ""), ($2 - $1) / n}'
}
echo "| side  | sequential call: instructions / I1 misses / D1 write misses | call among 64 concurrent callers: the same |"
echo "|-------|---|---|"
for side in tapis raw; do
    base=$(count "$side" 1000 1000)
    seq=$(count "$side" 3000 1000)
    conc=$(count "$side" 1000 3000)
    printf '| %-5s | %s | %s |\n' "$side" "$(per_call "$base" "$seq" 2000)" "$(per_call "$base" "$conc" 2000)"
done
echo "(per call, client process, callgrind with its cache model; raw = reqwest"
echo " with the same headers and query, decoding the body as serde_json::Value)"
