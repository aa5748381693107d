#!/usr/bin/env bash
# real.sh — what real programs pay under lifeguard: sqlite3, python3, lua,
# gcc -O2, git, perl, xz and bash, each run plain, under the runtime's
# defaults, with stacks=0 and under ASan's runtime preloaded (when found),
# the configurations alternated run by run so that all see the same machine
# load.  Prints a Markdown table of CPU medians (user + system of the
# program and the children it waited for), × plain, minor page faults, and
# the geomean of the ratios.  A program missing on the machine is said, not
# run.  Benchmarks are not tests: CI does not run this.
#
#   bench/real.sh [--runs N] [--lib PATH] [--lib-b PATH] [--only NAME]... [--short]
#
# --short: the short-lived programs instead (/bin/true, bash -c true,
# git --version, python3 -c pass), the fork-heavy bash loop and one that
# execs /bin/true 300 times.
# --lib-b: a second liblifeguard.so measured in the same runs (an A/B).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=5 LIB=$ROOT/build/lib/liblifeguard.so LIB_B="" SHORT=0 ONLY=()
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
    case $1 in
    --runs) RUNS=$2; shift 2 ;;
    --lib) LIB=$2; shift 2 ;;
    --lib-b) LIB_B=$2; shift 2 ;;
    --only) ONLY+=("$2"); shift 2 ;;
    --short) SHORT=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "real.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
done
case $RUNS in ''|*[!0-9]*|0) echo "real.sh: --runs needs a positive number, not '$RUNS'" >&2; exit 2 ;; esac
LIB=$(realpath -e "$LIB" 2>/dev/null) || { echo "real.sh: no liblifeguard.so at the --lib path (build first)" >&2; exit 2; }
if [ -n "$LIB_B" ]; then LIB_B=$(realpath -e "$LIB_B" 2>/dev/null) || { echo "real.sh: no library at the --lib-b path" >&2; exit 2; }; fi
unset LD_PRELOAD LIFEGUARD_OPTIONS ASAN_OPTIONS MALLOC_CHECK_ GLIBC_TUNABLES

ASAN_LIB=${ASAN_LIB:-$(ldconfig -p 2>/dev/null | awk '$1 == "libasan.so.8" && /x86-64/ { print $NF; exit }')}
CC=${CC:-gcc}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lg-real.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
$CC -O2 -Wall -o "$WORK/measure" "$ROOT/bench/measure.c" || exit 1

# ---- inputs -----------------------------------------------------------------
cat >"$WORK/objects.py" <<'PY'
class Node:
    __slots__ = ("key", "kids")
    def __init__(self, key): self.key, self.kids = key, []
def build(depth, key):
    n = Node(key)
    if depth: n.kids = [build(depth - 1, key * 3 + i) for i in range(3)]
    return n
def count(n): return 1 + sum(count(k) for k in n.kids)
total = 0
for r in range(6): total += count(build(8, r))
print(total, sorted(str(i * 7919 % 10007) for i in range(50000))[:3])
PY
cat >"$WORK/script.pl" <<'PL'
my %h; my @a;
for my $i (1 .. 200000) { $h{"key$i"} = [$i, "v" x ($i % 17)]; }
for my $k (sort keys %h) { push @a, $h{$k}[0] if $h{$k}[0] % 3 == 0; }
my $s = join(",", @a); $s =~ s/(\d+)/<$1>/g;
print scalar(@a), " ", length($s), "\n";
PL
cat >"$WORK/script.sh" <<'SH'
declare -A h; s=""
for ((i = 0; i < 20000; i++)); do h[k$i]=$((i * 7 % 1000)); s+="${i:0:2}"; done
n=0; for k in "${!h[@]}"; do ((n += h[$k])); done
echo "$n ${#s}"
SH
# xz's input: the repository's sources, concatenated (the same bytes every run).
find "$ROOT/src" "$ROOT/tests" "$ROOT/docs" -type f \( -name '*.c' -o -name '*.h' -o -name '*.md' \) -print0 |
    sort -z | xargs -0 cat >"$WORK/xz.in"
cp "$ROOT/src/core/lg_heap.c" "$WORK/cc.c"

# name|program|arguments, separated by ';' (the program's path is checked)
if [ "$SHORT" = 1 ]; then
    PROGRAMS=(
        "true|/bin/true|"
        "bash-true|/bin/bash|-c;true"
        "git-version|/usr/bin/git|--version"
        "python3-pass|/usr/bin/python3|-c;pass"
        "bash-fork300|/bin/bash|$WORK/fork.sh"
        "bash-exec300|/bin/bash|$WORK/exec.sh"
    )
    cat >"$WORK/fork.sh" <<'SH'
for i in $(seq 300); do x=$(echo $i); done
SH
    # each /bin/true an exec: the exec family's look at its target (rt_libc_exec.c)
    cat >"$WORK/exec.sh" <<'SH'
for i in $(seq 300); do /bin/true; done
SH
else
    PROGRAMS=(
        "sqlite3|/usr/bin/sqlite3|:memory:;.read $ROOT/bench/programs/rows.sql"
        "python3|/usr/bin/python3|$ROOT/bench/programs/words.py"
        "python3-objects|/usr/bin/python3|$WORK/objects.py"
        "lua|/usr/bin/lua5.4|$ROOT/bench/programs/strings.lua"
        "gcc-O2|/usr/bin/gcc|-O2;-c;-I$ROOT/src/core;-I$ROOT/src/platform;-I$ROOT/include;$WORK/cc.c;-o;$WORK/cc.o"
        "git-log|/usr/bin/git|-C;$ROOT;--no-pager;log;--oneline;-300"
        "git-show|/usr/bin/git|-C;$ROOT;--no-pager;show;--stat;HEAD~3"
        "git-status|/usr/bin/git|-C;$ROOT;--no-pager;status;--porcelain"
        "perl|/usr/bin/perl|$WORK/script.pl"
        "xz|/usr/bin/xz|-6;-T1;-c;$WORK/xz.in"
        "bash|/bin/bash|$WORK/script.sh"
    )
fi

CONFIGS=(plain lg lg_nostacks)
declare -A LABEL=([plain]="plain" [lg]="lifeguard" [lg_nostacks]="stacks=0" [asan]="ASan runtime"
                  [b]="B" [b_nostacks]="B stacks=0")
declare -A ENVS=(
    [plain]=""
    [lg]="LD_PRELOAD=$LIB LIFEGUARD_OPTIONS=exitcode=0"
    [lg_nostacks]="LD_PRELOAD=$LIB LIFEGUARD_OPTIONS=stacks=0:exitcode=0"
    [b]="LD_PRELOAD=$LIB_B LIFEGUARD_OPTIONS=exitcode=0"
    [b_nostacks]="LD_PRELOAD=$LIB_B LIFEGUARD_OPTIONS=stacks=0:exitcode=0"
    [asan]="LD_PRELOAD=$ASAN_LIB ASAN_OPTIONS=exitcode=0 LSAN_OPTIONS=exitcode=0"
)
[ -n "$LIB_B" ] && CONFIGS+=(b b_nostacks)
if [ -z "$ASAN_LIB" ] || [ ! -f "$ASAN_LIB" ]; then
    echo "real.sh: ASan runtime: n/a (no libasan.so.8: Debian's libasan8)" >&2
else
    CONFIGS+=(asan)
fi

field() { local re="(^| )$1=([^ ]*)"; [[ $2 =~ $re ]] && echo "${BASH_REMATCH[2]}"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
selected() { [ ${#ONLY[@]} -eq 0 ] && return 0; local n; for n in "${ONLY[@]}"; do [ "$n" = "$1" ] && return 0; done; return 1; }

echo "real.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $RUNS runs alternated" >&2
hdr="| program | plain CPU (s) | plain faults |" sep="|---|---:|---:|"
for c in "${CONFIGS[@]:1}"; do hdr+=" ${LABEL[$c]} CPU × | ${LABEL[$c]} faults |"; sep+="---:|---:|"; done
echo "$hdr"
echo "$sep"
declare -A LOGS=()
for c in "${CONFIGS[@]:1}"; do LOGS[$c]=""; done
status=0
for entry in "${PROGRAMS[@]}"; do
    IFS='|' read -r name prog argline <<<"$entry"
    IFS=';' read -ra args <<<"$argline"
    selected "$name" || continue
    if [ ! -x "$prog" ]; then
        echo "real.sh: $name: $prog is missing, not run" >&2
        continue
    fi
    declare -A cpus=() flts=()
    for c in "${CONFIGS[@]}"; do cpus[$c]="" flts[$c]=""; done
    bad=""
    for ((i = 0; i < RUNS; i++)); do
        for c in "${CONFIGS[@]}"; do
            envargs=()
            for kv in ${ENVS[$c]}; do envargs+=(-E "$kv"); done
            line=$("$WORK/measure" -t 300 -o "$WORK/out.$c" -e "$WORK/err.$c" "${envargs[@]}" -- "$prog" "${args[@]}")
            if [ "$(field status "$line")" != exit:0 ]; then bad+=" $c: $line (see its stderr: $(head -c 300 "$WORK/err.$c"))"; continue; fi
            if [ "$c" != plain ] && ! cmp -s "$WORK/out.$c" "$WORK/out.plain"; then bad+=" $c: output differs from plain"; fi
            cpus[$c]+=" $(field cpu "$line")"
            flts[$c]+=" $(field minflt "$line")"
        done
    done
    if [ -n "$bad" ]; then echo "real.sh: $name:$bad" >&2; status=1; fi
    # shellcheck disable=SC2086
    pc=$(median ${cpus[plain]}) pf=$(median ${flts[plain]})
    row="| $name | $(awk -v v="$pc" 'BEGIN { printf "%.3f", v }') | $pf |"
    for c in "${CONFIGS[@]:1}"; do
        if [ -z "${cpus[$c]}" ]; then row+=" failed | |"; continue; fi
        # shellcheck disable=SC2086
        mc=$(median ${cpus[$c]}) mf=$(median ${flts[$c]})
        r=$(awk -v v="$mc" -v p="$pc" 'BEGIN { printf "%.2f", (p > 0 ? v / p : 0) }')
        row+=" $r | $mf |"
        LOGS[$c]+=" $r"
    done
    echo "$row"
    unset cpus flts
done
row="| geomean | | |"
for c in "${CONFIGS[@]:1}"; do
    # shellcheck disable=SC2086
    g=$(printf '%s\n' ${LOGS[$c]} | awk '$1 > 0 { s += log($1); n++ } END { if (n) printf "%.2f", exp(s / n); else print "n/a" }')
    row+=" **$g** | |"
done
echo "$row"
exit $status
