#!/usr/bin/env bash
# guard_growth.sh — guard=sites' budget of first uses, library against
# library: CPU medians (user + sys, the program and its children) of make
# (500 targets, each an echo it forks and execs), a short bash loop,
# `python3 -c pass` and `git log` under guard=off (the first library) and
# under guard=sites with each library, the configurations alternated run
# by run on the same machine load; then each program's allocations and
# guarded allocations under each library (one run each, the JSON summary).
# The last column is guard=sites with the first library and a run's table
# of first uses (guard_sites_file, a fresh one each run), as `lifeguard run`
# gives every run (made before the run starts, outside the time measured): a
# site's first uses guarded once a run, not once a process.
# For builds that differ in how the budget grows (LG_CFG_GUARD_GROWTH_AFTER);
# bench/guard_burst.sh compares the bursts of one library.
# docs/PERFORMANCE.md records its output.
# usage: bench/guard_growth.sh RUNS LIB [LIB...]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 2 ] || { echo "usage: bench/guard_growth.sh RUNS LIB [LIB...]" >&2; exit 2; }
runs=$1
shift
libs=()
for lib in "$@"; do
    [ -f "$lib" ] || { echo "guard_growth.sh: no such library: $lib" >&2; exit 2; }
    libs+=("$(realpath "$lib")")
done
command -v jq >/dev/null || { echo "guard_growth.sh: jq is needed" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/lg-guard-growth.XXXXXX")
trap 'rm -rf "$work"' EXIT
${CC:-cc} -O2 -o "$work/measure" "$root/bench/measure.c" || exit 2
# A blank run table (src/core/lg_guard_file.h: the magic, then zeros to 4096 + 2^18 bytes).
printf 'lifeguard guard=sites first-use counts, version 1\n' >"$work/blank-table"
truncate -s $((4096 + (1 << 18))) "$work/blank-table"
{
    echo 'N := $(shell seq 1 500)'
    echo 'all: $(addprefix t,$(N))'
    echo 't%: ; @echo $@'
} >"$work/Makefile"
names=(make bash-loop python3 git)
command_of() { # NAME: sets cmd
    case $1 in
    make) cmd=(make -s -f "$work/Makefile") ;;
    bash-loop) cmd=(bash -c 'x=0; for i in $(seq 200); do x=$((x+i)); done; echo $x') ;;
    python3) cmd=(/usr/bin/python3 -c pass) ;; # the real binary, not a pyenv shim
    git) cmd=(/usr/bin/git -C "$root" log --oneline -n 300) ;;
    esac
}
# Configuration c: 0 is guard=off with the first library, 1..libs guard=sites
# with library c-1, the last guard=sites with the first library and a run table.
table_config=$((${#libs[@]} + 1))
lib_of() { [ "$1" = 0 ] || [ "$1" = $table_config ] && echo "${libs[0]}" || echo "${libs[$1 - 1]}"; }
options_of() {
    if [ "$1" = 0 ]; then echo "leaks=0:guard=off"
    elif [ "$1" = $table_config ]; then echo "leaks=0:guard=sites:guard_sites_file=$work/run-table"
    else echo "leaks=0:guard=sites"; fi
}
configs=$((${#libs[@]} + 2))
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
field() { local re="(^| )$1=([^ ]*)"; [[ $2 =~ $re ]] && echo "${BASH_REMATCH[2]}"; }

echo "load: $(cut -d' ' -f1-3 /proc/loadavg) at start"
for i in "${!libs[@]}"; do echo "library $((i + 1)): ${libs[$i]}"; done
header="| program | off CPU (ms) |" rule="| --- | ---: |"
for i in "${!libs[@]}"; do header+=" sites, library $((i + 1)) |" rule+=" ---: |"; done
header+=" sites + run table, library 1 |" rule+=" ---: |"
echo "$header"
echo "$rule"
for name in "${names[@]}"; do
    command_of "$name"
    [ -x "${cmd[0]}" ] || command -v "${cmd[0]}" >/dev/null || { echo "| $name | not installed |"; continue; }
    for ((c = 0; c < configs; c++)); do : >"$work/cpu.$c"; done
    for ((i = 0; i < runs; i++)); do
        for ((c = 0; c < configs; c++)); do
            cp "$work/blank-table" "$work/run-table" # made before the run, as lifeguard run makes its own
            line=$("$work/measure" -t 300 -o /dev/null -e /dev/null -E "LD_PRELOAD=$(lib_of $c)" \
                -E "LIFEGUARD_OPTIONS=$(options_of $c)" -- "${cmd[@]}")
            [ "$(field status "$line")" = exit:0 ] || { echo "guard_growth.sh: $name under configuration $c: $line" >&2; continue 3; }
            field cpu "$line" >>"$work/cpu.$c"
        done
    done
    off=$(median <"$work/cpu.0")
    row="| $name | $(awk -v v="$off" 'BEGIN { printf "%.2f", v * 1000 }') |"
    for ((c = 1; c < configs; c++)); do
        row+=" $(awk -v v="$(median <"$work/cpu.$c")" -v o="$off" 'BEGIN { printf "%.2f (%+.1f%%)", v * 1000, (v / o - 1) * 100 }') |"
    done
    echo "$row"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) at end"

echo
header="| program | allocations |" rule="| --- | ---: |"
for i in "${!libs[@]}"; do header+=" guarded, library $((i + 1)) |" rule+=" ---: |"; done
echo "$header"
echo "$rule"
for name in "${names[@]}"; do
    [ "$name" = make ] && continue # its children's reports are their own
    command_of "$name"
    [ -x "${cmd[0]}" ] || command -v "${cmd[0]}" >/dev/null || continue
    row="| $name |"
    for ((c = 1; c < table_config; c++)); do
        rm -f "$work/r.json"
        LD_PRELOAD=$(lib_of $c) LIFEGUARD_OPTIONS="leaks=0:guard=sites:json_path=$work/r.json" "${cmd[@]}" >/dev/null 2>&1
        [ $c = 1 ] && row+=" $(jq '.summary.allocations' "$work/r.json" 2>/dev/null || echo '?') |"
        row+=" $(jq '.summary.guarded_allocations' "$work/r.json" 2>/dev/null || echo '?') |"
    done
    echo "$row"
done
