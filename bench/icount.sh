#!/usr/bin/env bash
# icount.sh — A/B of two liblifeguard.so builds (or two settings of one) by
# the instructions each workload executes, counted by Valgrind's cachegrind
# (no cache simulation): a figure the machine's load does not move, for
# costs of a few per cent that timing on a shared machine cannot resolve.
#
#   bench/icount.sh [--scale PCT] [--options K=V:..] [--options-a K=V:..]
#                   [--options-b K=V:..] LIB_A LIB_B [WORKLOAD...]
#
# Valgrind refuses the default build's address-space reservations (the heap
# checker would be off): build the libraries with smaller ranges,
#   cmake -S . -B build-icount -DCMAKE_C_FLAGS='-DLG_CFG_CLASS_SPAN_BITS=26 -DLG_CFG_STALE_WINDOW_BITS=8'
# (the guarded tier's reservation is still refused: it stays off).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCALE=10 OPTIONS="" OPTIONS_A="" OPTIONS_B=""
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
    --scale) SCALE=$2; shift 2 ;;
    --options) OPTIONS=$2; shift 2 ;;
    --options-a) OPTIONS_A=$2; shift 2 ;;
    --options-b) OPTIONS_B=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) break ;;
    esac
done
[ $# -ge 2 ] || { usage >&2; exit 2; }
command -v valgrind >/dev/null || { echo "icount.sh: valgrind is not installed" >&2; exit 2; }
LIB_A=$(realpath "$1") LIB_B=$(realpath "$2"); shift 2
for lib in "$LIB_A" "$LIB_B"; do [ -f "$lib" ] || { echo "icount.sh: no such library: $lib" >&2; exit 2; }; done
WORKLOADS=("$@")
[ ${#WORKLOADS[@]} -gt 0 ] || WORKLOADS=(small_mixed realloc_growth realloc_append long_trees prodcons compute cfrac espresso printf_heavy)
CC=${CC:-gcc}
BIN=$(mktemp -d "${TMPDIR:-/tmp}/lg-icount.XXXXXX")
trap 'rm -rf "$BIN"' EXIT
for w in "${WORKLOADS[@]}"; do
    $CC -O2 -fomit-frame-pointer -Wall -Wextra -pthread -o "$BIN/$w" "$ROOT/bench/workloads/$w.c" || exit 1
done
# The instructions of one run: cachegrind's "I refs" (or "I   refs").
count() {
    local lib=$1 opts=$2 w=$3
    env LD_PRELOAD="$lib" ${opts:+LIFEGUARD_OPTIONS="$opts"} \
        valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$BIN/$w" "$SCALE" \
        >/dev/null 2>"$BIN/log" || { echo "icount.sh: $w failed under $lib (${opts:-default options})" >&2; exit 1; }
    if grep -q "the heap checker is off" "$BIN/log"; then
        echo "icount.sh: $lib cannot reserve its heap under Valgrind: build it with smaller ranges (see --help)" >&2
        exit 1
    fi
    sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' "$BIN/log" | tr -d , | head -1
}
printf '| workload | A instructions | B instructions | B/A |\n|---|---:|---:|---:|\n'
for w in "${WORKLOADS[@]}"; do
    a=$(count "$LIB_A" "${OPTIONS_A:-$OPTIONS}" "$w") || exit 1
    b=$(count "$LIB_B" "${OPTIONS_B:-$OPTIONS}" "$w") || exit 1
    [ -n "$a" ] && [ -n "$b" ] || { echo "icount.sh: no instruction count for $w (cachegrind's output changed?)" >&2; exit 1; }
    awk -v w="$w" -v a="$a" -v b="$b" 'BEGIN { printf "| %s | %.0f | %.0f | %+.2f%% |\n", w, a, b, (b/a-1)*100 }'
done
