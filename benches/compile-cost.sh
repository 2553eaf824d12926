#!/usr/bin/env bash
# Compile cost as a user pays it: a new binary crate depending on
#   - the official SDK, `tapis-sdk = "=0.4.4"` (the baseline),
#   - the official SDK's `systems` crate alone, `tapis-systems = "=0.4.4"`
#     (what one service costs there: the share the other services add),
#   - `tapis` with its default features (every service),
#   - `tapis` with `systems` only,
# each (plus tokio) built from an empty target directory, debug then
# release, one after the other in the same run. Prints wall time, peak RSS
# (the largest process of the build: GNU time's maximum resident set size
# over the waited-for processes), the CPU time of the whole build (user +
# system, every process) and the ratios to the baseline.
# Takes ~15 minutes on 2 cores and needs the crates.io registry; not part of
# the test command. Usage: bash benches/compile-cost.sh [debug|release|both]
# ROUNDS=n (default 1) builds everything n times, interleaved, and keeps
# each build's fastest wall time and smallest peak RSS: this VM's speed
# drifts by tens of percent within an hour, and interleaving puts every
# crate under the same drift.
#
# The consumers depend on `tapis` by path, and cargo compiles path
# dependencies incrementally (its own bookkeeping, slower and larger for a
# clean build), where a user's `tapis = "0.1"` from crates.io is compiled
# without: CARGO_INCREMENTAL=0 measures what that user pays. The official
# SDK comes from crates.io and is never compiled incrementally.
set -euo pipefail
export CARGO_INCREMENTAL=0
rounds="${ROUNDS:-1}"
cd "$(dirname "$0")/.."
repo="$(pwd)"
profiles="${1:-both}"

if [ ! -x /usr/bin/time ]; then
    echo "needs GNU time (/usr/bin/time; apt install time)" >&2
    exit 1
fi
work="$repo/target/compile-cost"
rm -rf "$work"
mkdir -p "$work"

# consumer NAME DEPENDENCY-LINE: a binary crate of its own workspace.
consumer() {
    local dir="$work/$1"
    mkdir -p "$dir/src"
    cat > "$dir/Cargo.toml" <<EOF
[package]
name = "consumer-$1"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]

[dependencies]
$2
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
EOF
    echo 'fn main() {}' > "$dir/src/main.rs"
    # Resolve (and download) before timing: only compiling is measured.
    (cd "$dir" && cargo fetch --quiet)
}

consumer official-sdk 'tapis-sdk = "=0.4.4"'
consumer official-systems 'tapis-systems = "=0.4.4"'
consumer tapis-default "tapis = { path = \"$repo\" }"
consumer tapis-systems "tapis = { path = \"$repo\", default-features = false, features = [\"systems\"] }"

declare -A wall rss cpu
measure() { # NAME PROFILE
    local dir="$work/$1" flag=""
    [ "$2" = release ] && flag="--release"
    rm -rf "$dir/target"
    (cd "$dir" && /usr/bin/time -f "%e %M %U %S" -o "$dir/$2.time" cargo build --quiet $flag)
    read -r w kb user sys < "$dir/$2.time"
    local gb c
    gb=$(awk "BEGIN { printf \"%.2f\", $kb / 1048576 }")
    c=$(awk "BEGIN { printf \"%.1f\", $user + $sys }")
    echo "  $1 $2: ${w} s, ${gb} GB, ${c} s CPU" >&2
    # The fastest and the smallest of the rounds.
    if [ -z "${wall[$1/$2]:-}" ] || awk "BEGIN { exit !($w < ${wall[$1/$2]}) }"; then
        wall[$1/$2]=$w
    fi
    if [ -z "${rss[$1/$2]:-}" ] || awk "BEGIN { exit !($gb < ${rss[$1/$2]}) }"; then
        rss[$1/$2]=$gb
    fi
    if [ -z "${cpu[$1/$2]:-}" ] || awk "BEGIN { exit !($c < ${cpu[$1/$2]}) }"; then
        cpu[$1/$2]=$c
    fi
    rm -rf "$dir/target"
}

case "$profiles" in
    both) chosen=(debug release) ;;
    *) chosen=("$profiles") ;;
esac
for profile in "${chosen[@]}"; do
    for _ in $(seq "$rounds"); do
        for name in official-sdk official-systems tapis-default tapis-systems; do
            measure "$name" "$profile"
        done
    done
done

echo
echo "Clean build of a new binary crate (plus tokio), best of $rounds round(s), CARGO_INCREMENTAL=0; rustc $(rustc --version | cut -d' ' -f2), $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo) RAM"
echo "| profile | dependency | wall | peak RSS | CPU | wall / official | RSS / official | CPU / official | wall / its SDK's full build |"
echo "|---|---|---|---|---|---|---|---|---|"
for profile in "${chosen[@]}"; do
    base_w=${wall[official-sdk/$profile]}
    base_r=${rss[official-sdk/$profile]}
    base_c=${cpu[official-sdk/$profile]}
    for name in official-sdk official-systems tapis-default tapis-systems; do
        w=${wall[$name/$profile]}
        r=${rss[$name/$profile]}
        c=${cpu[$name/$profile]}
        case "$name" in
            official-*) full=$base_w ;;
            tapis-*) full=${wall[tapis-default/$profile]} ;;
        esac
        printf '| %s | %s | %.0f s | %s GB | %.0f s | %.2f | %.2f | %.2f | %.2f |\n' "$profile" "$name" "$w" "$r" "$c" \
            "$(awk "BEGIN { print $w / $base_w }")" "$(awk "BEGIN { print $r / $base_r }")" \
            "$(awk "BEGIN { print $c / $base_c }")" "$(awk "BEGIN { print $w / $full }")"
    done
done
echo "(targets, issue 19: tapis default <= 1.0x the official SDK's wall time, <= 1.5x its RSS;"
echo " systems alone <= 0.35x tapis default)"
