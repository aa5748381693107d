#!/usr/bin/env bash
# guard_real.sh — guard=sites against guard=off on real programs (those of
# tests/real, and bash, perl, make when present; a short C program making
# 0-256 allocations, and echo, one of the processes make starts),
# alternated run by run on the same machine load: median CPU (user + sys,
# the program and its children) and wall time of each, and the ratios.
# The last two columns are guard=sites with a run's table of first uses
# (guard_sites_file, a fresh one each run, made before the run starts), as
# `lifeguard run` gives every run: how tests/real's programs run.
# docs/PERFORMANCE.md records its output.
#
# Each program is run from its real binary: a name on PATH that is not an
# ELF file (a pyenv or asdf shim is a shell script that execs the program:
# it would be measured with it) is replaced by /usr/bin/NAME, or skipped.
# usage: bench/guard_real.sh [BUILD_DIR] [RUNS]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build} runs=${2:-7}
lib=$build/lib/liblifeguard.so
[ -f "$lib" ] || { echo "guard_real.sh: no $lib (build first)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/lg-guard-real.XXXXXX")
trap 'rm -rf "$work"' EXIT
${CC:-cc} -O2 -o "$work/measure" "$root/bench/measure.c" || exit 2
cat >"$work/script.pl" <<'PL'
my %h; $h{$_} = ($_ x 3) . "x" for 1 .. 200000;
my $n = 0; $n += length($h{$_}) for keys %h;
print scalar(keys %h), " $n\n";
PL
# A short-lived process: N small allocations, each from its own stack (a
# recursion's depth: a site of its own), then exit.  What one process pays
# for the guarded tier at N = 0 (its setup), 16 and 64 (the first-use burst)
# and 256 (past the burst).
cat >"$work/allocs.c" <<'C'
#include <stdlib.h>
#include <string.h>
static void *kept[256];
__attribute__((noinline)) static void allocate(int n, int i)
{
    if (i == n) return;
    kept[i] = malloc(48);
    memset(kept[i], i, 48);
    allocate(n, i + 1);
    __asm__ volatile("" ::: "memory"); /* not a tail call: a new frame, a new stack */
}
int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 0;
    allocate(n < 256 ? n : 256, 0);
    return 0;
}
C
${CC:-cc} -O2 -o "$work/allocs" "$work/allocs.c" || exit 2
# A blank run table (src/core/lg_guard_file.h: the magic, then zeros to 4096 + 2^18 bytes).
printf 'lifeguard guard=sites first-use counts, version 1\n' >"$work/blank-table"
truncate -s $((4096 + (1 << 18))) "$work/blank-table"
{ # 500 targets, each an echo make runs itself (fork and exec)
    echo 'N := $(shell seq 1 500)'
    echo 'all: $(addprefix t,$(N))'
    echo 't%: ; @echo $@'
} >"$work/Makefile"

# The real binary of a program: an ELF file, not a wrapper script.
real_binary() {
    local path
    for path in "$(type -P "$1")" "/usr/bin/$1"; do
        [ -n "$path" ] && [ -x "$path" ] && [ "$(head -c 4 "$path" | od -An -c | tr -d ' ')" = 177ELF ] && {
            echo "$path"
            return 0
        }
    done
    return 1
}
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
field() { local re="(^| )$1=([^ ]*)"; [[ $2 =~ $re ]] && echo "${BASH_REMATCH[2]}"; }
# What each program runs (its binary found by real_binary).
programs=(allocs-0 allocs-16 allocs-64 allocs-256 echo python3 sqlite3 lua git bash-subshells bash-loop perl make)
command_of() { # NAME: sets prog and args
    case $1 in
    allocs-*) prog=$work/allocs args=("${1#allocs-}") ;;
    echo) prog=echo args=(hi) ;; # one of the processes make starts, alone
    python3) prog=python3 args=("$root/bench/programs/words.py") ;;
    sqlite3) prog=sqlite3 args=(:memory: ".read $root/bench/programs/rows.sql") ;;
    lua) prog=lua5.4 args=("$root/bench/programs/strings.lua") ;;
    git) prog=git args=(-C "$root" log --oneline -200) ;;
    bash-subshells) prog=bash args=(-c 'for i in $(seq 300); do x=$(echo $i); done') ;;
    bash-loop) prog=bash args=(-c 'x=0; for i in $(seq 200); do x=$((x+i)); done; echo $x') ;;
    perl) prog=perl args=("$work/script.pl") ;;
    make) prog=make args=(-s -f "$work/Makefile") ;;
    esac
}
echo "| program | off CPU (s) | sites CPU (s) | × CPU | off wall (s) | sites wall (s) | × wall | sites + run table CPU (s) | × CPU |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for name in "${programs[@]}"; do
    command_of "$name"
    bin=$(real_binary "$prog") || continue
    for g in off sites table; do : >"$work/$g.cpu" && : >"$work/$g.wall"; done
    for ((i = 0; i < runs; i++)); do
        for g in off sites table; do
            options="leaks=0:guard=$g"
            [ $g = table ] && cp "$work/blank-table" "$work/run-table" && options="leaks=0:guard=sites:guard_sites_file=$work/run-table"
            line=$("$work/measure" -t 300 -o /dev/null -e /dev/null -E "LD_PRELOAD=$lib" \
                -E "LIFEGUARD_OPTIONS=$options" -- "$bin" "${args[@]}")
            [ "$(field status "$line")" = exit:0 ] || { echo "guard_real.sh: $name under guard=$g: $line" >&2; continue 3; }
            field cpu "$line" >>"$work/$g.cpu"
            field wall "$line" >>"$work/$g.wall"
        done
    done
    oc=$(median <"$work/off.cpu") sc=$(median <"$work/sites.cpu")
    ow=$(median <"$work/off.wall") sw=$(median <"$work/sites.wall") tc=$(median <"$work/table.cpu")
    awk -v n="$name" -v oc="$oc" -v sc="$sc" -v ow="$ow" -v sw="$sw" -v tc="$tc" \
        'BEGIN { printf "| %s | %.4f | %.4f | %.3f | %.4f | %.4f | %.3f | %.4f | %.3f |\n", n, oc, sc, sc / oc, ow, sw, sw / ow, tc, tc / oc }'
done
