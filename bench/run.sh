#!/usr/bin/env bash
# run.sh — builds the bench workloads and measures each one under plain
# glibc, lifeguard (default and stacks=0), a preloaded ASan runtime, glibc's
# malloc checking and valgrind; prints Markdown tables and records them in
# docs/PERFORMANCE.md.  Then measures the annotation API with refs_bench and
# the stack unwinder with tests/unwind's benchmark (gcc and clang builds).
# See --help.  Needs bash, a C compiler, awk, make; valgrind, libasan8,
# clang and libunwind-dev are optional (what is missing is said, not run).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CMDLINE="bench/run.sh${*:+ $*}"
[ -n "${CC:-}" ] && CMDLINE="CC=$CC $CMDLINE"
CC=${CC:-gcc}

WORKLOADS=(small_mixed realloc_growth realloc_append large_churn long_trees prodcons compute cfrac espresso printf_heavy fork_loop)
LIB=$ROOT/build/lib/liblifeguard.so
ASAN_LIB=${ASAN_LIB:-}
RUNS=3
SCALE_ARG=""
QUICK=0
VALGRIND=1
TIMEOUT=120     # seconds, every run but valgrind's
VG_TIMEOUT=180  # seconds, valgrind's run
OUT=$ROOT/build/bench-run
DOCS=auto
ONLY=()

usage() {
    cat <<EOF
usage: bench/run.sh [options]
  --quick            10% inputs, 1 run, no valgrind, docs untouched (CI smoke)
  --only NAME        run only this workload (repeatable; "refs" is refs_bench,
                     "unwind" the unwinder benchmark)
  --lib PATH         liblifeguard.so to preload (default build/lib/liblifeguard.so)
  --scale PCT        input size in % of the default (default 100; figures at
                     another scale are not comparable with the docs' tables)
  --runs N           runs per configuration, median reported (default 3; valgrind,
                     guard=all, Electric Fence and DUMA 1)
  --no-valgrind      skip the valgrind, Electric Fence and DUMA configurations
  --timeout SEC      per-run limit (default $TIMEOUT)
  --vg-timeout SEC   per-run limit under valgrind (default $VG_TIMEOUT)
  --out DIR          build and log directory (default build/bench-run)
  --docs | --no-docs force or suppress updating docs/PERFORMANCE.md
                     (default: update the sections of what ran, unless --quick;
                      the workload section only when every workload ran)
Environment: CC (default gcc), ASAN_LIB (default: libasan.so.8 as found by ldconfig).
EOF
}

while [ $# -gt 0 ]; do
    case $1 in
    --quick) QUICK=1 ;;
    --only) ONLY+=("$2"); shift ;;
    --lib) LIB=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --scale) SCALE_ARG=$2; shift ;;
    --no-valgrind) VALGRIND=0 ;;
    --timeout) TIMEOUT=$2; shift ;;
    --vg-timeout) VG_TIMEOUT=$2; shift ;;
    --out) OUT=$2; shift ;;
    --docs) DOCS=1 ;;
    --no-docs) DOCS=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done
case $LIB in /*) ;; *) LIB=$PWD/$LIB ;; esac
# The build directory the runtime comes from, for the docs' "reproduce" line.
LIB_BUILD=$(dirname "$(dirname "$LIB")")
LIB_BUILD=${LIB_BUILD#"$ROOT"/}
if [ "$QUICK" = 1 ]; then
    SCALE=10 RUNS=1 VALGRIND=0 REFS_REPS=1
    [ "$DOCS" = auto ] && DOCS=0
else
    SCALE=100 REFS_REPS=5
fi
[ -n "$SCALE_ARG" ] && SCALE=$SCALE_ARG

selected() { # is $1 to run?
    [ ${#ONLY[@]} -eq 0 ] && return 0
    local n
    for n in "${ONLY[@]}"; do [ "$n" = "$1" ] && return 0; done
    return 1
}
for n in "${ONLY[@]}"; do
    case " ${WORKLOADS[*]} refs unwind " in *" $n "*) ;; *) echo "run.sh: no workload $n" >&2; exit 2 ;; esac
done

# Each run sets exactly what its configuration needs.
unset LD_PRELOAD LIFEGUARD_OPTIONS ASAN_OPTIONS MALLOC_CHECK_ GLIBC_TUNABLES

find_lib() { # path of a shared library by soname, via the loader cache
    ldconfig -p 2>/dev/null | awk -v n="$1" '$1 == n && /x86-64|x86_64|64bit/ { print $NF; exit }'
}
[ -z "$ASAN_LIB" ] && ASAN_LIB=$(find_lib libasan.so.8)
[ -z "$ASAN_LIB" ] && [ -e /usr/lib/x86_64-linux-gnu/libasan.so.8 ] && ASAN_LIB=/usr/lib/x86_64-linux-gnu/libasan.so.8
MCHECK_LIB=$(find_lib libc_malloc_debug.so.0)
EFENCE_LIB=$(find_lib libefence.so.0)
DUMA_LIB=$(find_lib libduma.so.0)
[ -z "$DUMA_LIB" ] && DUMA_LIB=$(find_lib libduma.so.0.0.0)
MIMALLOC_LIB=$(find_lib libmimalloc.so.2)
# Scudo ships inside LLVM's compiler-rt (Debian: libclang-rt-NN-dev), not under the loader's cache.
SCUDO_LIB=$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.scudo_standalone-x86_64.so 2>/dev/null | sort -V | tail -1)

# ---- build ------------------------------------------------------------------
BIN=$OUT/bin LOGS=$OUT/logs
mkdir -p "$BIN" "$LOGS" || exit 1
CFLAGS_WL="-O2 -fomit-frame-pointer -Wall -Wextra -pthread"
build() { # name, source, extra flags...
    local name=$1 src=$2; shift 2
    if ! $CC $CFLAGS_WL "$@" -o "$BIN/$name" "$src"; then
        echo "run.sh: cannot build $name" >&2
        exit 1
    fi
}
echo "building with $CC into $BIN" >&2
build measure "$ROOT/bench/measure.c"
for w in "${WORKLOADS[@]}"; do selected "$w" && build "$w" "$ROOT/bench/workloads/$w.c"; done
selected refs && build refs_bench "$ROOT/bench/refs_bench.c" -I"$ROOT/include" -ldl

# ---- configurations ---------------------------------------------------------
CONFIGS=(plain lg lg_guardoff lg_guardall lg_nostacks asan mcheck scudo mimalloc efence duma valgrind)
# Configurations that run once, under the longer limit (valgrind's): the
# slow peers, and guard=all, which is measured against them.
SLOW_CONFIGS=" lg_guardall efence duma valgrind "
declare -A LABEL=(
    [plain]="glibc (plain)"
    [lg]="lifeguard"
    [lg_guardoff]="lifeguard guard=off"
    [lg_guardall]="lifeguard guard=all"
    [lg_nostacks]="lifeguard stacks=0"
    [asan]="ASan runtime, preloaded"
    [mcheck]="glibc MALLOC_CHECK_=3"
    [scudo]="Scudo"
    [mimalloc]="mimalloc"
    [efence]="Electric Fence"
    [duma]="DUMA"
    [valgrind]="valgrind memcheck"
)
declare -A ENVS=(
    [plain]=""
    [lg]="LD_PRELOAD=$LIB"
    [lg_guardoff]="LD_PRELOAD=$LIB LIFEGUARD_OPTIONS=guard=off"
    [lg_guardall]="LD_PRELOAD=$LIB LIFEGUARD_OPTIONS=guard=all"
    [lg_nostacks]="LD_PRELOAD=$LIB LIFEGUARD_OPTIONS=stacks=0"
    [asan]="LD_PRELOAD=$ASAN_LIB"
    [mcheck]="LD_PRELOAD=$MCHECK_LIB MALLOC_CHECK_=3 GLIBC_TUNABLES=glibc.malloc.check=3"
    [scudo]="LD_PRELOAD=$SCUDO_LIB"
    [mimalloc]="LD_PRELOAD=$MIMALLOC_LIB"
    [efence]="LD_PRELOAD=$EFENCE_LIB EF_ALLOW_MALLOC_0=1"
    [duma]="LD_PRELOAD=$DUMA_LIB DUMA_DISABLE_BANNER=1"
    [valgrind]=""
)
declare -A MISSING=()  # configuration -> why it cannot run
[ -f "$LIB" ] || for c in lg lg_guardoff lg_guardall lg_nostacks; do MISSING[$c]="no $LIB"; done
[ -n "$EFENCE_LIB" ] || MISSING[efence]="no libefence.so.0: install Debian's electric-fence"
[ -n "$DUMA_LIB" ] || MISSING[duma]="no libduma.so.0: install Debian's duma"
[ -n "$ASAN_LIB" ] && [ -f "$ASAN_LIB" ] || MISSING[asan]="no libasan.so.8: install Debian's libasan8 or set ASAN_LIB"
[ -n "$MCHECK_LIB" ] || MISSING[mcheck]="no libc_malloc_debug.so.0 (glibc 2.34 or later)"
[ -n "$SCUDO_LIB" ] || MISSING[scudo]="no libclang_rt.scudo_standalone-x86_64.so: install Debian's libclang-rt-14-dev"
[ -n "$MIMALLOC_LIB" ] || MISSING[mimalloc]="no libmimalloc.so.2: install Debian's libmimalloc2.0"
if [ "$VALGRIND" = 0 ]; then MISSING[valgrind]="skipped"; MISSING[efence]="skipped"; MISSING[duma]="skipped"
elif ! command -v valgrind >/dev/null; then MISSING[valgrind]="no valgrind: install Debian's valgrind"
fi
for c in "${CONFIGS[@]}"; do
    [ -n "${MISSING[$c]:-}" ] && echo "run.sh: ${LABEL[$c]}: n/a (${MISSING[$c]})" >&2
done

# measure_run CONFIG LOGBASE TIMEOUT PROG ARGS... -> prints measure's line
measure_run() {
    local cfg=$1 base=$2 limit=$3; shift 3
    local -a envargs=() wrap=()
    local kv
    for kv in ${ENVS[$cfg]}; do envargs+=(-E "$kv"); done
    [ "$cfg" = valgrind ] && wrap=(valgrind --tool=memcheck)
    "$BIN/measure" -t "$limit" -o "$base.out" -e "$base.err" "${envargs[@]}" -- "${wrap[@]}" "$@"
}

field() { # field NAME LINE
    local re="(^| )$1=([^ ]*)"
    [[ $2 =~ $re ]] && echo "${BASH_REMATCH[2]}"
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 }
        END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# ---- workloads --------------------------------------------------------------
declare -A WALL CPU RSS CHECK
ran_workloads=()
for w in "${WORKLOADS[@]}"; do
    selected "$w" || continue
    ran_workloads+=("$w")
    declare -A walls=() cpus=() rsss=()
    for c in "${CONFIGS[@]}"; do CHECK[$w.$c]=ok; walls[$c]=""; cpus[$c]=""; rsss[$c]=""; done
    for ((i = 1; i <= RUNS; i++)); do
        for c in "${CONFIGS[@]}"; do
            [ -n "${MISSING[$c]:-}" ] && continue
            limit=$TIMEOUT
            if [[ $SLOW_CONFIGS == *" $c "* ]]; then
                [ "$i" -gt 1 ] && continue
                limit=$VG_TIMEOUT
            fi
            base=$LOGS/$w.$c.$i
            line=$(measure_run "$c" "$base" "$limit" "$BIN/$w" "$SCALE")
            st=$(field status "$line")
            printf '%-15s %-12s run %d: %s\n' "$w" "$c" "$i" "$line" >&2
            if [ "$st" = timeout ]; then
                CHECK[$w.$c]=timeout
                continue
            fi
            [ "$st" != exit:0 ] && CHECK[$w.$c]="$st, see $base.err"
            if [ "$c" != plain ] && ! cmp -s "$base.out" "$LOGS/$w.plain.1.out"; then
                CHECK[$w.$c]="MISMATCH, see $base.out"
            elif [ "$c" = plain ] && [ ! -s "$base.out" ]; then
                CHECK[$w.$c]="no output"
            fi
            walls[$c]+=" $(field wall "$line")"
            cpus[$c]+=" $(field cpu "$line")"
            rsss[$c]+=" $(field maxrss_kb "$line")"
        done
    done
    for c in "${CONFIGS[@]}"; do
        if [ -n "${MISSING[$c]:-}" ]; then CHECK[$w.$c]="n/a (${MISSING[$c]})"; continue; fi
        [ -z "${walls[$c]}" ] && continue
        # shellcheck disable=SC2086
        WALL[$w.$c]=$(median ${walls[$c]}) CPU[$w.$c]=$(median ${cpus[$c]}) RSS[$w.$c]=$(median ${rsss[$c]})
    done
    unset walls cpus rsss
done

# ---- reporting --------------------------------------------------------------
ratio() { # value plain -> "1.23"
    awk -v v="$1" -v p="$2" 'BEGIN { if (v == "" || p == "" || p + 0 == 0) print "n/a"; else printf "%.2f", v / p }'
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
secs() { awk -v s="$1" 'BEGIN { printf "%.3f", s }'; }
# Only a figure compares: "n/a" and "timeout" are never at or below a limit.
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a ~ /^-?[0-9.]+$/ && a + 0 <= b + 0) }'; }

machine() {
    local model cores mem os libc
    model=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
    cores=$(nproc)
    mem=$(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
    os=$( (. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") || uname -sr)
    libc=$(ldd --version 2>/dev/null | head -1 | sed 's/^ldd //')
    echo "${model:-unknown CPU}, $cores cores, $mem; $os, $libc, $($CC --version | head -1)"
}

QUARANTINE_MIB=64
# Cells of a configuration that did not complete show why instead of figures.
cell_or_reason() { # workload config value
    local chk=${CHECK[$1.$2]}
    if [ -n "$3" ] && [ "$3" != n/a ]; then echo "$3"
    elif [ "$chk" = timeout ]; then echo "timeout"
    else echo "n/a"
    fi
}

bench_markdown() {
    local w c p_wall p_cpu p_rss
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(machine)."
    echo
    echo "Reproduce with \`$CMDLINE\` (after \`cmake -S . -B $LIB_BUILD && cmake --build $LIB_BUILD\`)."
    echo "Workloads are built with \`$CC $CFLAGS_WL\` (no frame pointers) at ${SCALE}% of their"
    echo "default input; each figure is the median of $RUNS run(s), guard=all's, valgrind's, Electric Fence's and DUMA's of one run (limit ${VG_TIMEOUT} s)."
    echo "Ratios are to plain glibc; every run's output is compared with the plain run's."
    echo "ASan is Debian's \`libasan.so.8\` preloaded into the uninstrumented program (its"
    echo "allocator, quarantine and leak check, no shadow checks on accesses); MALLOC_CHECK_=3 is"
    echo "\`LD_PRELOAD=libc_malloc_debug.so.0 MALLOC_CHECK_=3 GLIBC_TUNABLES=glibc.malloc.check=3\`."
    echo
    echo "### Wall time, × plain glibc"
    echo
    local hdr="| workload | plain (s) |" sep="|---|---:|"
    for c in "${CONFIGS[@]:1}"; do hdr+=" ${LABEL[$c]} |"; sep+="---:|"; done
    echo "$hdr"; echo "$sep"
    for w in "${ran_workloads[@]}"; do
        local row="| $w | $(secs "${WALL[$w.plain]:-0}") |"
        for c in "${CONFIGS[@]:1}"; do row+=" $(cell_or_reason "$w" "$c" "$(ratio "${WALL[$w.$c]:-}" "${WALL[$w.plain]:-}")") |"; done
        echo "$row"
    done
    echo
    echo "### Peak RSS, × plain glibc"
    echo
    hdr="| workload | plain (MiB) |"
    for c in "${CONFIGS[@]:1}"; do hdr+=" ${LABEL[$c]} |"; done
    echo "$hdr"; echo "$sep"
    for w in "${ran_workloads[@]}"; do
        local row="| $w | $(mib "${RSS[$w.plain]:-0}") |"
        for c in "${CONFIGS[@]:1}"; do row+=" $(cell_or_reason "$w" "$c" "$(ratio "${RSS[$w.$c]:-}" "${RSS[$w.plain]:-}")") |"; done
        echo "$row"
    done
    echo
    echo "### Targets"
    echo
    echo "The targets of issues 15 (speed) and 9 (guarded blocks), by wall time (CPU time beside it in"
    echo "brackets: less sensitive to other load on the machine).  \"Allocator workloads\" are every"
    echo "workload but compute; their geomean is the last row."
    echo
    echo "| target | limit |"
    echo "|---|---|"
    echo "| lifeguard (default), cfrac | ≤ 3.5 × plain |"
    echo "| lifeguard (default), espresso | ≤ 3 × plain |"
    echo "| lifeguard (default), geomean of the allocator workloads | ≤ 2.5 × plain |"
    echo "| lifeguard (default) against the ASan runtime preloaded | faster on every workload |"
    echo "| lifeguard stacks=0 against Scudo | at or below Scudo's ratio on every workload |"
    echo "| lifeguard (default), peak RSS | ≤ 2 × plain + quarantine ($QUARANTINE_MIB MiB) |"
    echo "| guard=sites (the default) against guard=off | ≤ 1.05 × |"
    echo "| guard=all against Electric Fence, DUMA, valgrind | faster than each (that completed) |"
    echo
    echo "| workload | default: wall × (CPU ×) | met | ASan × | ahead | stacks=0 × | Scudo × | met | peak RSS (MiB) | limit | met | sites / off | met | guard=all × | fastest peer × | met |"
    echo "|---|---:|---|---:|---|---:|---:|---|---:|---:|---|---:|---|---:|---:|---|"
    local g_lg=0 g_ns=0 g_n=0 g_asan=0 g_scudo=0 g_na=0 g_ns2=0
    for w in "${ran_workloads[@]}"; do
        local p=${WALL[$w.plain]:-} r c m a ra ns sc ms rss rl mr so mso ga pf mg peer x
        r=$(cell_or_reason "$w" lg "$(ratio "${WALL[$w.lg]:-}" "$p")")
        c=$(ratio "${CPU[$w.lg]:-}" "${CPU[$w.plain]:-}")
        m=—
        [ "$w" = cfrac ] && { m=no; le "$r" 3.5 && m=yes; }
        [ "$w" = espresso ] && { m=no; le "$r" 3 && m=yes; }
        a=$(cell_or_reason "$w" asan "$(ratio "${WALL[$w.asan]:-}" "$p")")
        ra=n/a
        [ "$a" != n/a ] && [ "$a" != timeout ] && { ra=no; le "$r" "$a" && ra=yes; }
        [ "$a" = timeout ] && ra=yes
        ns=$(cell_or_reason "$w" lg_nostacks "$(ratio "${WALL[$w.lg_nostacks]:-}" "$p")")
        sc=$(cell_or_reason "$w" scudo "$(ratio "${WALL[$w.scudo]:-}" "$p")")
        ms=n/a
        [ "$sc" != n/a ] && [ "$sc" != timeout ] && { ms=no; le "$ns" "$sc" && ms=yes; }
        rss=n/a
        [ -n "${RSS[$w.lg]:-}" ] && rss=$(mib "${RSS[$w.lg]}")
        rl=$(awk -v k="${RSS[$w.plain]:-0}" -v q=$QUARANTINE_MIB 'BEGIN { printf "%.1f", 2 * k / 1024 + q }')
        mr=no
        le "$rss" "$rl" && mr=yes
        so=$(ratio "${WALL[$w.lg]:-}" "${WALL[$w.lg_guardoff]:-}")
        mso=no
        le "$so" 1.05 && mso=yes
        ga=$(cell_or_reason "$w" lg_guardall "$(ratio "${WALL[$w.lg_guardall]:-}" "$p")")
        pf=""
        for peer in efence duma valgrind; do
            [ "${CHECK[$w.$peer]}" = ok ] || continue # a crash or a wrong output is no figure to beat
            x=$(ratio "${WALL[$w.$peer]:-}" "$p")
            [ "$x" = n/a ] && continue
            [ -z "$pf" ] || le "$x" "$pf" && pf=$x
        done
        mg=n/a
        [ -n "$pf" ] && { mg=no; le "$ga" "$pf" && mg=yes; }
        [ "${CHECK[$w.lg]}" = ok ] || { m="no (${CHECK[$w.lg]})"; mr=$m; }
        [ "${CHECK[$w.lg_nostacks]}" = ok ] || ms="no (${CHECK[$w.lg_nostacks]})"
        echo "| $w | $r ($c) | $m | $a | $ra | $ns | $sc | $ms | $rss | $rl | $mr | $so | $mso | $ga | ${pf:-n/a} | $mg |"
        if [ "$w" != compute ] && [ "$r" != n/a ] && [ "$r" != timeout ]; then
            g_lg=$(awk -v s="$g_lg" -v x="$r" 'BEGIN { print s + log(x) }') g_n=$((g_n + 1))
            if [ "$a" != n/a ] && [ "$a" != timeout ]; then
                g_asan=$(awk -v s="$g_asan" -v x="$a" 'BEGIN { print s + log(x) }') g_na=$((g_na + 1))
            fi
            if [ "$ns" != n/a ] && [ "$ns" != timeout ] && [ "$sc" != n/a ] && [ "$sc" != timeout ]; then
                g_ns=$(awk -v s="$g_ns" -v x="$ns" 'BEGIN { print s + log(x) }')
                g_scudo=$(awk -v s="$g_scudo" -v x="$sc" 'BEGIN { print s + log(x) }') g_ns2=$((g_ns2 + 1))
            fi
        fi
    done
    geo() { awk -v s="$1" -v n="$2" 'BEGIN { if (n == 0) print "n/a"; else printf "%.2f", exp(s / n) }'; }
    local gl ga2 gm
    gl=$(geo "$g_lg" "$g_n")
    gm=no
    le "$gl" 2.5 && gm=yes
    ga2=n/a
    [ "$g_na" -eq "$g_n" ] && ga2=$(geo "$g_asan" "$g_na")
    echo "| geomean, allocator workloads | $gl | $gm (≤ 2.5) | $ga2 | | $(geo "$g_ns" "$g_ns2") | $(geo "$g_scudo" "$g_ns2") | | | | | | | | | |"
    echo
    echo "### Per workload"
    for w in "${ran_workloads[@]}"; do
        echo
        echo "#### $w"
        echo
        echo "| configuration | wall (s) | × | CPU (s) | × | peak RSS (MiB) | × | output |"
        echo "|---|---:|---:|---:|---:|---:|---:|---|"
        for c in "${CONFIGS[@]}"; do
            if [ -z "${WALL[$w.$c]:-}" ]; then
                echo "| ${LABEL[$c]} | $(cell_or_reason "$w" "$c" "") | | | | | | ${CHECK[$w.$c]} |"
                continue
            fi
            echo "| ${LABEL[$c]} | $(secs "${WALL[$w.$c]}") | $(ratio "${WALL[$w.$c]}" "${WALL[$w.plain]:-}")" \
                "| $(secs "${CPU[$w.$c]}") | $(ratio "${CPU[$w.$c]}" "${CPU[$w.plain]:-}")" \
                "| $(mib "${RSS[$w.$c]}") | $(ratio "${RSS[$w.$c]}" "${RSS[$w.plain]:-}") | ${CHECK[$w.$c]//|/\\|} |"
        done
    done
}

# ---- refs_bench -------------------------------------------------------------
REFS_MD=""
if selected refs; then
    declare -A REFS_LINES=()
    refs_modes=(absent lg_nostacks lg)
    declare -A REFS_LABEL=([absent]="absent" [lg_nostacks]="preloaded, stacks=0" [lg]="preloaded, stacks on")
    declare -A REFS_LIMIT=([absent]=5 [lg_nostacks]=60 [lg]=250)
    for m in "${refs_modes[@]}"; do
        if [ "$m" != absent ] && [ -n "${MISSING[$m]:-}" ]; then
            echo "run.sh: refs_bench, runtime ${REFS_LABEL[$m]}: n/a (${MISSING[$m]})" >&2
            continue
        fi
        cfg=$m
        [ "$m" = absent ] && cfg=plain
        base=$LOGS/refs.$m
        line=$(measure_run "$cfg" "$base" "$TIMEOUT" "$BIN/refs_bench" "$REFS_REPS")
        echo "refs_bench     $m: $line" >&2
        cat "$base.out" >&2
        if [ "$(field status "$line")" != exit:0 ]; then
            echo "run.sh: refs_bench failed under ${REFS_LABEL[$m]}, see $base.err" >&2
        fi
        REFS_LINES[$m]=$(cat "$base.out")
    done
    REFS_MD=$(
        echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(machine)."
        echo
        echo "Reproduce with \`$CMDLINE\`.  \`bench/refs_bench.c\` times a reference count's"
        echo "atomic increment+decrement pair with and without \`lg_ref_get\`/\`lg_ref_put\` between"
        echo "them, on 16 objects, one thread or two threads on the same objects; best of $REFS_REPS timings."
        echo "Tokens: the same pair annotated with \`lg_ref_get_token\`/\`lg_ref_put_token\` (same target)."
        echo "Floor: the pair with a lock of the object's own taken, its state written and the lock released"
        echo "at the get and at the put instead (what any tracker keeping per-object state under a lock adds)."
        echo "Own objects: the annotations on objects of each thread's own (no record of the tracker's written"
        echo "by both threads): at two threads, what remains of the added cost when nothing is shared."
        echo
        echo "| runtime | threads | atomic pair (ns) | annotated pair (ns) | added (ns) | with tokens: added (ns) | floor: added (ns) | own objects: added (ns) | target (ns) | met |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
        for m in "${refs_modes[@]}"; do
            if [ -z "${REFS_LINES[$m]:-}" ]; then
                echo "| ${REFS_LABEL[$m]} | | n/a | n/a | n/a | n/a | n/a | n/a | ≤ ${REFS_LIMIT[$m]} | n/a |"
                continue
            fi
            while read -r l; do
                over=$(field over_ns "$l")
                tover=$(field token_over_ns "$l")
                met=no
                le "$over" "${REFS_LIMIT[$m]}" && { [ -z "$tover" ] || le "$tover" "${REFS_LIMIT[$m]}"; } && met=yes
                [ "$m" != absent ] && [ "$(field runtime "$l")" != present ] && met="no (runtime not found)"
                echo "| ${REFS_LABEL[$m]} | $(field threads "$l") | $(field plain_ns "$l") |" \
                    "$(field annotated_ns "$l") | $over | ${tover:-n/a} | $(field locked_floor_over_ns "$l") |" \
                    "$(field own_over_ns "$l") | ≤ ${REFS_LIMIT[$m]} | $met |"
            done <<<"${REFS_LINES[$m]}"
        done
    )
fi

# ---- the unwinder -----------------------------------------------------------
UNWIND_MD=""
if selected unwind; then
    unw_compilers=()
    for c in gcc clang; do
        if ! command -v "$c" >/dev/null; then
            echo "run.sh: unwinder benchmark, $c: n/a (no $c)" >&2
            continue
        fi
        if ! make -s -C "$ROOT/tests/unwind" B="$OUT/unwind" COMPILERS="$c" "$OUT/unwind/$c/unwind_bench" \
            >"$LOGS/unwind.$c.build" 2>&1; then
            echo "run.sh: unwinder benchmark, $c: cannot build (libunwind-dev?), see $LOGS/unwind.$c.build" >&2
            continue
        fi
        if ! "$OUT/unwind/$c/unwind_bench" >"$LOGS/unwind.$c.out" 2>&1; then
            echo "run.sh: unwinder benchmark, $c: failed, see $LOGS/unwind.$c.out" >&2
            continue
        fi
        cat "$LOGS/unwind.$c.out" >&2
        unw_compilers+=("$c")
    done
    if [ ${#unw_compilers[@]} -gt 0 ]; then
        UNWIND_MD=$(
            echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(machine)."
            echo
            echo "Reproduce with \`$CMDLINE\` or \`make -C tests/unwind bench\`.  \`bench/unwind_bench.c\`"
            echo "captures stacks of 10 and 30 frames in \`bench/unwind_paths.c\`, built \`-O2 -fomit-frame-pointer\`"
            echo "(no frame pointers) and, for the frame-pointer walk, \`-fno-omit-frame-pointer\`: 40 outer frames,"
            echo "then 5 to 9 frames of four functions and three leaves; the repeated path is the same every"
            echo "time, the varied path picks depth, functions and leaf at random for every capture."
            echo "Nanoseconds per capture (and per frame), the best of 15 rounds less the same loop capturing"
            echo "nothing; \"rule table emptied\" invalidates it before every capture.  The store table times"
            echo "\`lg_depot_store\` on stacks of those paths."
            for c in "${unw_compilers[@]}"; do
                echo
                echo "$c:"
                echo
                cat "$LOGS/unwind.$c.out"
            done
        )
    fi
fi

# ---- output -----------------------------------------------------------------
BENCH_MD=""
[ ${#ran_workloads[@]} -gt 0 ] && BENCH_MD=$(bench_markdown)
[ -n "$BENCH_MD" ] && printf '\n## Workloads\n\n%s\n' "$BENCH_MD"
[ -n "$REFS_MD" ] && printf '\n## Reference annotations\n\n%s\n' "$REFS_MD"
[ -n "$UNWIND_MD" ] && printf '\n## Stack capture\n\n%s\n' "$UNWIND_MD"

DOC=$ROOT/docs/PERFORMANCE.md
# replace_section BEGIN END CONTENT: swaps what lies between the markers,
# appending the markers at the end of the file if they are missing.
replace_section() {
    local begin=$1 end=$2 tmp
    tmp=$(mktemp) || return 1
    printf '%s\n' "$3" >"$tmp.body"
    if ! grep -qF "$begin" "$DOC" || ! grep -qF "$end" "$DOC"; then
        printf '\n%s\n%s\n' "$begin" "$end" >>"$DOC"
    fi
    awk -v b="$begin" -v e="$end" -v body="$tmp.body" '
        $0 == b { print; while ((getline l < body) > 0) print l; skip = 1; next }
        $0 == e { skip = 0 }
        !skip' "$DOC" >"$tmp" && cat "$tmp" >"$DOC"
    rm -f "$tmp" "$tmp.body"
}
if [ "$DOCS" != 0 ]; then
    if [ ! -f "$DOC" ]; then
        mkdir -p "$(dirname "$DOC")"
        cat >"$DOC" <<'EOF'
# lifeguard performance

Speed and memory of programs run under lifeguard, side by side with plain
glibc and the other heap checkers a C programmer reaches for.  The tables
between the markers are written by `bench/run.sh`; do not edit them by hand.

## Analysis

_To be written._

## Workloads

<!-- bench:begin -->
<!-- bench:end -->

## Stack capture

<!-- unwind:begin -->
<!-- unwind:end -->

## Reference annotations

<!-- refs:begin -->
<!-- refs:end -->
EOF
    fi
    all_ran=1
    [ ${#ran_workloads[@]} -eq ${#WORKLOADS[@]} ] || all_ran=0
    if [ -n "$BENCH_MD" ] && { [ "$DOCS" = 1 ] || [ $all_ran = 1 ]; }; then
        replace_section '<!-- bench:begin -->' '<!-- bench:end -->' "$BENCH_MD"
        echo "run.sh: updated the workload section of $DOC" >&2
    fi
    if [ -n "$REFS_MD" ]; then
        replace_section '<!-- refs:begin -->' '<!-- refs:end -->' "$REFS_MD"
        echo "run.sh: updated the refs section of $DOC" >&2
    fi
    if [ -n "$UNWIND_MD" ]; then
        replace_section '<!-- unwind:begin -->' '<!-- unwind:end -->' "$UNWIND_MD"
        echo "run.sh: updated the stack capture section of $DOC" >&2
    fi
fi

# A flagged run of plain glibc or of lifeguard fails the script, so CI
# notices.  The peers' own crashes and wrong output (Electric Fence and DUMA
# on most workloads) are findings of the tables, not failures of the run.
status=0
for w in "${ran_workloads[@]}"; do
    for c in "${CONFIGS[@]}"; do
        case $c in plain|lg*) ;; *) continue ;; esac
        case ${CHECK[$w.$c]} in ok|n/a*|timeout) ;; *) status=1 ;; esac
    done
done
exit $status
