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

# Total instructions of one run: SIDE, sequential calls, concurrent calls.
count() {
    TAPIS_BENCH_SIDE=$1 TAPIS_BENCH_CALLS=$2 TAPIS_BENCH_CONCURRENT_CALLS=$3 \
        TAPIS_BENCH_ROUNDS=1 TAPIS_BENCH_BUILDS=1 \
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bench" --bench 2>&1 \
        | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}

# Two runs that differ only in the number of calls: the difference divided
# by the extra calls is the cost of one call (warm-up, construction and the
# stale-token part cancel out).
echo "| side  | sequential call | call among 64 concurrent callers |"
echo "|-------|-----------------|----------------------------------|"
for side in tapis raw; do
    base=$(count "$side" 1000 1000)
    seq=$(count "$side" 3000 1000)
    conc=$(count "$side" 1000 3000)
    printf '| %-5s | %15s | %32s |\n' "$side" \
        "$(( (seq - base) / 2000 ))" "$(( (conc - base) / 2000 ))"
done
echo "(instructions per call, client process, callgrind; raw = reqwest with"
echo " the same headers and query, decoding the body as serde_json::Value)"
