#!/usr/bin/env bash
# Compile cost of the tapis crate: clean debug build time and peak memory
# for all 16 services and for `systems` alone, plus the lines of generated
# code, printed as a table. Takes several minutes on 2 cores; not part of the
# test command. Usage: bash benches/compile-cost.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/time ]; then
    echo "needs GNU time (/usr/bin/time; apt install time)" >&2
    exit 1
fi
work="target/compile-cost"
rm -rf "$work"
mkdir -p "$work"

rows=()
measure() { # name, cargo feature arguments...
    local name="$1"; shift
    local dir="$work/$name"
    # Each build starts from an empty target directory; only the tapis
    # package's library is built (as a user's dependency build would).
    /usr/bin/time -f "%e %M" -o "$work/$name.time" \
        cargo build --locked --quiet -p tapis --lib "$@" --target-dir "$dir"
    read -r wall rss_kb < "$work/$name.time"
    # The generated modules (dispatch.rs is only compiled by the conformance test).
    local lines
    lines=$(find "$dir"/debug/build/tapis-*/out -name '*.rs' ! -name dispatch.rs -print0 \
        | xargs -0 cat | wc -l)
    rows+=("$(printf '| %-16s | %6.0f s | %6.2f GB | %15d |' "$name" "$wall" \
        "$(awk "BEGIN { print $rss_kb / 1048576 }")" "$lines")")
    rm -rf "$dir"
}

measure all-services
measure systems-only --no-default-features --features systems

echo
echo "Clean debug build of the tapis library (rustc $(rustc --version | cut -d' ' -f2), $(nproc) cores)"
echo "(peak RSS: the largest process of the build, rustc on the tapis crate)"
echo "| build            |     wall |  peak RSS | generated lines |"
echo "|------------------|----------|-----------|-----------------|"
printf '%s\n' "${rows[@]}"
