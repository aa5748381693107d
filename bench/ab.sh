#!/usr/bin/env bash
# ab.sh — A/B of two liblifeguard.so builds on the bench workloads, run
# alternately (A, B, A, B ...) so that both see the same machine load; prints
# the median CPU and wall time of each and B's change against A.
#
#   bench/ab.sh [--runs N] [--scale PCT] [--options K=V:..] [--options-a K=V:..]
#               [--options-b K=V:..] LIB_A LIB_B [WORKLOAD...]
#
# --options-a/-b: options for one side only (the same library twice compares
# two settings, e.g. --options-a guard=off).  Used for the interposition
# cost of new wrappers and the cost of guard=sites (docs/PERFORMANCE.md).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=5 SCALE=100 OPTIONS="" OPTIONS_A="" OPTIONS_B=""
while [ $# -gt 0 ]; do
    case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --scale) SCALE=$2; shift 2 ;;
    --options) OPTIONS=$2; shift 2 ;;
    --options-a) OPTIONS_A=$2; shift 2 ;;
    --options-b) OPTIONS_B=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
    esac
done
[ $# -ge 2 ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
LIB_A=$(realpath "$1") LIB_B=$(realpath "$2"); shift 2
for lib in "$LIB_A" "$LIB_B"; do [ -f "$lib" ] || { echo "ab.sh: no such library: $lib" >&2; exit 2; }; done
WORKLOADS=("$@")
[ ${#WORKLOADS[@]} -gt 0 ] || WORKLOADS=(small_mixed realloc_growth realloc_append large_churn long_trees prodcons compute cfrac espresso printf_heavy fork_loop)
CC=${CC:-gcc}
BIN=$(mktemp -d "${TMPDIR:-/tmp}/lg-ab.XXXXXX")
trap 'rm -rf "$BIN"' EXIT
$CC -O2 -Wall -o "$BIN/measure" "$ROOT/bench/measure.c" || exit 1
for w in "${WORKLOADS[@]}"; do
    $CC -O2 -fomit-frame-pointer -Wall -Wextra -pthread -o "$BIN/$w" "$ROOT/bench/workloads/$w.c" || exit 1
done
field() { local re="(^| )$1=([^ ]*)"; [[ $2 =~ $re ]] && echo "${BASH_REMATCH[2]}"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
printf '| workload | A cpu s | B cpu s | B/A cpu | A wall s | B wall s | B/A wall |\n|---|---|---|---|---|---|---|\n'
for w in "${WORKLOADS[@]}"; do
    declare -a ca=() cb=() wa=() wb=()
    for ((i = 0; i < RUNS; i++)); do
        for side in A B; do
            lib=$LIB_A opts=${OPTIONS_A:-$OPTIONS}
            [ $side = B ] && lib=$LIB_B opts=${OPTIONS_B:-$OPTIONS}
            line=$("$BIN/measure" -t 300 -o /dev/null -e "$BIN/err" -E "LD_PRELOAD=$lib" ${opts:+-E "LIFEGUARD_OPTIONS=$opts"} -- "$BIN/$w" "$SCALE")
            [ "$(field status "$line")" = exit:0 ] || { echo "ab.sh: $w under $side: $line" >&2; exit 1; }
            if [ $side = A ]; then ca+=("$(field cpu "$line")"); wa+=("$(field wall "$line")")
            else cb+=("$(field cpu "$line")"); wb+=("$(field wall "$line")"); fi
        done
    done
    mca=$(median "${ca[@]}") mcb=$(median "${cb[@]}") mwa=$(median "${wa[@]}") mwb=$(median "${wb[@]}")
    awk -v w="$w" -v ca="$mca" -v cb="$mcb" -v wa="$mwa" -v wb="$mwb" \
        'BEGIN { printf "| %s | %.2f | %.2f | %+.1f%% | %.2f | %.2f | %+.1f%% |\n", w, ca, cb, (cb/ca-1)*100, wa, wb, (wb/wa-1)*100 }'
    unset ca cb wa wb
done
