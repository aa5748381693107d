#!/usr/bin/env bash
# guard_burst.sh — what guard=sites' budget of first uses (guard_first_burst)
# costs and what it guards, burst by burst: CPU medians (user + sys, the
# program and its children) of make (500 targets, each an echo it forks and
# execs), a short bash loop, `echo hi` and `python3 -c pass` under guard=off
# and under guard=sites with each burst, the configurations alternated run
# by run on the same machine load; then, for each burst, the guarded
# allocations of those programs (one run each, the JSON summary) and
# whether a direct read after free on the 30th of 40 allocation sites of a
# short program (bench/programs/sites40.c) is found.
# docs/PERFORMANCE.md records its output.
# usage: bench/guard_burst.sh [BUILD_DIR] [RUNS] [BURST...]   (default 15 runs, bursts 16 24 64)
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" 2>/dev/null && pwd) || { echo "guard_burst.sh: no build directory ${1:-$root/build}" >&2; exit 2; }
runs=${2:-15}
shift $(($# < 2 ? $# : 2))
bursts=("$@")
[ ${#bursts[@]} -gt 0 ] || bursts=(16 24 64)
lib=$build/lib/liblifeguard.so lifeguard=$build/bin/lifeguard
[ -f "$lib" ] && [ -x "$lifeguard" ] || { echo "guard_burst.sh: no $lib or $lifeguard (build first)" >&2; exit 2; }
command -v jq >/dev/null || { echo "guard_burst.sh: jq is needed" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/lg-guard-burst.XXXXXX")
trap 'rm -rf "$work"' EXIT
${CC:-cc} -O2 -o "$work/measure" "$root/bench/measure.c" || exit 2
${CC:-cc} -O1 -g -o "$work/sites40" "$root/bench/programs/sites40.c" || exit 2
{
    echo 'N := $(shell seq 1 500)'
    echo 'all: $(addprefix t,$(N))'
    echo 't%: ; @echo $@'
} >"$work/Makefile"
python=/usr/bin/python3 # the real binary, not a pyenv shim
names=(make bash-loop echo python3)
command_of() { # NAME: sets cmd
    case $1 in
    make) cmd=(make -s -f "$work/Makefile") ;;
    bash-loop) cmd=(bash -c 'x=0; for i in $(seq 200); do x=$((x+i)); done; echo $x') ;;
    echo) cmd=(/usr/bin/echo hi) ;;
    python3) cmd=("$python" -c pass) ;;
    esac
}
configs=(off)
for b in "${bursts[@]}"; do configs+=("sites:guard_first_burst=$b"); done
options_of() { [ "$1" = off ] && echo "leaks=0:guard=off" || echo "leaks=0:guard=$1"; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
field() { local re="(^| )$1=([^ ]*)"; [[ $2 =~ $re ]] && echo "${BASH_REMATCH[2]}"; }

echo "load: $(cut -d' ' -f1-3 /proc/loadavg) at start"
header="| program | off CPU (ms) |" rule="| --- | ---: |"
for b in "${bursts[@]}"; do header+=" burst $b |" rule+=" ---: |"; done
echo "$header"
echo "$rule"
for name in "${names[@]}"; do
    command_of "$name"
    for c in "${!configs[@]}"; do : >"$work/cpu.$c"; : >"$work/flt.$c"; done
    for ((i = 0; i < runs; i++)); do
        for c in "${!configs[@]}"; do
            line=$("$work/measure" -t 300 -o /dev/null -e /dev/null -E "LD_PRELOAD=$lib" \
                -E "LIFEGUARD_OPTIONS=$(options_of "${configs[$c]}")" -- "${cmd[@]}")
            [ "$(field status "$line")" = exit:0 ] || { echo "guard_burst.sh: $name under ${configs[$c]}: $line" >&2; continue 3; }
            field cpu "$line" >>"$work/cpu.$c"
            field minflt "$line" >>"$work/flt.$c"
        done
    done
    off=$(median <"$work/cpu.0") row="| $name | $(awk -v v="$off" 'BEGIN { printf "%.2f", v * 1000 }') |"
    for ((c = 1; c < ${#configs[@]}; c++)); do
        v=$(median <"$work/cpu.$c")
        row+=$(awk -v v="$v" -v o="$off" 'BEGIN { printf " %.2f (%+.1f%%) |", v * 1000, (v / o - 1) * 100 }')
    done
    echo "$row"
    fl="| $name minor faults | $(median <"$work/flt.0") |"
    for ((c = 1; c < ${#configs[@]}; c++)); do fl+=" $(median <"$work/flt.$c") |"; done
    echo "$fl"
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) at end"
echo
echo "| burst | guarded: echo | python3 -c pass | bash loop | sites40: guarded | read after free on site 30 |"
echo "| ---: | ---: | ---: | ---: | ---: | --- |"
for b in "${bursts[@]}"; do
    row="| $b |"
    for name in echo python3 bash-loop; do
        command_of "$name"
        rm -f "$work/r.json"
        LIFEGUARD_OPTIONS="leaks=0:guard_first_burst=$b:json_path=$work/r.json" LD_PRELOAD=$lib "${cmd[@]}" >/dev/null 2>&1
        row+=" $(jq '.summary.guarded_allocations' "$work/r.json" 2>/dev/null || echo '?') |"
    done
    rm -f "$work/r.json"
    (cd "$work" && "$lifeguard" run --json r.json -o "guard_first_burst=$b" -- ./sites40 30 >/dev/null 2>&1)
    found=$(jq -r '[.findings[] | select(.kind == "use-after-free")] | if length > 0 then "found (use-after-free)" else "not found" end' "$work/r.json")
    row+=" $(jq '.summary.guarded_allocations' "$work/r.json") | $found |"
    echo "$row"
done
