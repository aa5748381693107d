#!/usr/bin/env bash
# tests/cli/travel_tests.sh — reports lifeguard must never lose or hide:
# children that close their descriptors, processes that outlive the run,
# findings before exec, errors of child processes in the exit status,
# programs that cannot be checked, and options written as ASan users write
# them.  Runs the real runtime; device nodes are private mknod copies.
#
# usage: tests/cli/travel_tests.sh LIFEGUARD RUNTIME_LIB
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
LG=$(realpath "${1:-$root/build/bin/lifeguard}")
RT=$(realpath "${2:-$root/build/lib/liblifeguard.so}")
CC=${CC:-cc}

work=$(mktemp -d "${TMPDIR:-/tmp}/lgtravel.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

. "$root/tests/harness.sh"
check() { check_eval "$@"; }
T=(timeout 30)

cp "$here/hostile.c" "$here/target.c" .
$CC -g -O0 -I"$root/include" -o hostile hostile.c -ldl || exit 1
$CC -g -O0 -o target target.c || exit 1
echo 'int not_the_runtime;' > other.c && $CC -shared -fPIC -o other.so other.c || exit 1

# ---- report travel ---------------------------------------------------------------------
"${T[@]}" "$LG" run --lib "$RT" -- ./hostile close-fds > out.txt 2> err.txt
rc=$?
check "a child that closes its fds and opens a file: its report arrives, not in its file" \
    '[ $rc = 1 ] && grep -q "ERROR: lifeguard: double-free" err.txt && ! grep -q lifeguard child-own-file.txt' \
    "status $rc" "$(head -3 err.txt)" "child's file: $(head -c 200 child-own-file.txt)"
"${T[@]}" "$LG" run --lib "$RT" --sarif s.sarif --html h.html -- ./hostile close-fds > out.txt 2> err.txt
n_sarif=$(ls s.sarif.[0-9]* 2> /dev/null | wc -l) n_html=$(ls h.html.[0-9]* 2> /dev/null | wc -l)
check "--sarif/--html: a child's findings go to FILE.PID, the program's to FILE" \
    '[ -s s.sarif ] && [ -s h.html ] && [ $n_sarif = 1 ] && [ $n_html = 1 ] && grep -q double-free s.sarif.[0-9]*' \
    "$(ls s.sarif* h.html*)"
"${T[@]}" "$LG" run --lib "$RT" --sarif 'p.%p.sarif' -- ./hostile close-fds > out.txt 2> err.txt
n_sarif=$(ls p.[0-9]*.sarif 2> /dev/null | wc -l)
check "--sarif with %p: one file per process, the program's too" '[ $n_sarif = 2 ] && [ ! -e p.%p.sarif ]' "$(ls p.*)"
"${T[@]}" "$LG" run --lib "$RT" --count-errors top -- ./hostile close-fds > out.txt 2> err.txt
rc=$?
check "--count-errors top: a child's errors leave the status alone" '[ $rc = 0 ] && grep -q double-free err.txt' "status $rc"

if command -v python3 > /dev/null; then
    "${T[@]}" "$LG" run --lib "$RT" -o leaks=0 -- python3 -c \
        'import subprocess, sys; sys.exit(subprocess.run(["./hostile", "double-free"], close_fds=True).returncode and 0)' \
        > out.txt 2> err.txt
    rc=$?
    check "a Python subprocess child (close_fds): its report shown, the run fails" \
        '[ $rc = 1 ] && grep -q "ERROR: lifeguard: double-free" err.txt' "status $rc" "$(tail -3 err.txt)"
else
    skip "Python subprocess child (no python3)"
fi

start=$SECONDS
"${T[@]}" "$LG" run --lib "$RT" --json d.json -- ./hostile linger-error "$work/go" > out.txt 2> err.txt
rc=$?
child=$(head -1 out.txt)
dir=$(sed -n "s|.*its reports will be in \(.*\)/$child\.log.*|\1|p" err.txt)
touch go
for _ in $(seq 100); do kill -0 "$child" 2> /dev/null || break; sleep 0.1; done
check "a process outliving the run: the run returns and says where its reports go" \
    '[ $rc = 0 ] && [ $((SECONDS - start)) -lt 10 ] && [ -n "$dir" ] && [ -s d.json ]' "status $rc" "$(cat err.txt)"
check "... and it writes them there, not killed by SIGPIPE" \
    '[ -n "$dir" ] && grep -q "ERROR: lifeguard: double-free" "$dir/$child.log" && grep -q "\"double-free\"" "$dir/$child.json"' \
    "$(ls -l "$dir" 2>&1)"
[ -n "$dir" ] && case $dir in "${TMPDIR:-/tmp}"/lifeguard.*) rm -rf "$dir" ;; esac

"${T[@]}" "$LG" run --lib "$RT" --json e.json -- ./hostile exec-after-error > out.txt 2> err.txt
rc=$?
check "run: findings before exec are kept in the JSON report and counted" \
    '[ $rc = 1 ] && [ "$(jq "[.findings[] | select(.kind == \"double-free\")] | length" e.json)" = 1 ] && [ "$(jq .summary.errors e.json)" = 1 ]' \
    "status $rc" "$(head -c 400 e.json)"
"${T[@]}" env LIFEGUARD_OPTIONS=json_path=$work/e2.json LD_PRELOAD=$RT ./hostile exec-after-error 2> err.txt
rc=$?
check "runtime: the image after exec keeps the earlier image's findings and exits with exitcode" \
    '[ $rc = 1 ] && [ "$(jq "[.findings[] | select(.kind == \"double-free\")] | length" e2.json)" = 1 ]' \
    "status $rc" "$(head -c 400 e2.json)"

# ---- what cannot be checked -------------------------------------------------------------------
refused() { # refused NAME PATTERN COMMAND...
    local name=$1 pattern=$2
    shift 2
    rm -f marker
    TARGET_MARKER=$work/marker "${T[@]}" "$@" > out.txt 2> err.txt
    local rc=$?
    check "refused: $name" '[ $rc = 2 ] && [ "$(wc -l < err.txt)" = 1 ] && grep -q -- "$pattern" err.txt && [ ! -e marker ]' \
        "status $rc, started: $([ -e marker ] && echo yes || echo no)" "$(cat err.txt)"
}
refused "--lib names a library that is not the runtime" "is not lifeguard's runtime" "$LG" run --lib other.so -- ./target
if $CC -static -O0 -o target-static target.c 2> /dev/null; then
    refused "a statically linked program" "statically linked" "$LG" run --lib "$RT" -- ./target-static
else
    skip "refused: a statically linked program (no static C library)"
fi
if $CC -m32 -O0 -o target-32 target.c 2> /dev/null; then
    refused "a program of another architecture" "another architecture" "$LG" run --lib "$RT" -- ./target-32
else
    skip "refused: a program of another architecture (no -m32 toolchain)"
fi
if [ "$(id -u)" = 0 ]; then
    cp target suid-target && chown 65534:65534 suid-target && chmod 4755 suid-target
    refused "a program set-uid to another user" "set-uid or set-gid" "$LG" run --lib "$RT" -- ./suid-target
else
    skip "refused: a set-uid program (needs root to make one owned by another user)"
fi
printf '#!%s/target-static\n' "$work" > static-script && chmod +x static-script
[ -x target-static ] && refused "a script whose interpreter is static" "statically linked" "$LG" run --lib "$RT" -- ./static-script

# ---- ... and started by the program: it runs, unchecked, and the run says so ------------------
# sh uses execve, target's modes posix_spawn and execvp (along PATH); each
# program is named once, and one the runtime can follow is not named.  (A
# set-uid one runs as nobody, who cannot write the marker: its status says
# it ran.)
unchecked() { # unchecked NAME PATTERN EXPECTED_STATUS COMMAND...
    local name=$1 pattern=$2 want=$3
    shift 3
    rm -f marker
    TARGET_MARKER=$work/marker "${T[@]}" "$LG" run --lib "$RT" -- "$@" > out.txt 2> err.txt
    local rc=$?
    check "started by the program: $name" \
        '[ $rc = $want ] && { [ -e marker ] || [ "${NO_MARKER:-}" = 1 ]; } && [ "$(grep -c "runs unchecked: .*$pattern" err.txt)" = 1 ]' \
        "status $rc (want $want), started: $([ -e marker ] && echo yes || echo no)" "$(cat err.txt)"
}
if [ -x target-static ]; then
    unchecked "a static program, by execve (sh), twice" "statically linked" 5 sh -c './target-static exit 0; ./target-static exit 5'
    unchecked "a static program, by posix_spawn" "statically linked" 4 ./target posix-spawn ./target-static exit 4
    PATH=$work:$PATH unchecked "a static program, by execvp along PATH" "statically linked" 6 ./target execvp target-static exit 6
    unchecked "a script whose interpreter is static, by execve" "statically linked" 0 sh -c ./static-script
fi
[ -x suid-target ] && NO_MARKER=1 unchecked "a set-uid program, by execve (sh)" "set-uid or set-gid" 3 sh -c './suid-target exit 3'
[ -x target-32 ] && unchecked "a program of another architecture, by posix_spawn" "another architecture" 0 ./target posix-spawn ./target-32 exit 0
rm -f marker
TARGET_MARKER=$work/marker "${T[@]}" "$LG" run --lib "$RT" -- sh -c './target exit 0; ./target posix-spawn ./target exit 0' > out.txt 2> err.txt
rc=$?
check "started by the program: one the runtime follows is not named" '[ $rc = 0 ] && [ -e marker ] && ! grep -q "runs unchecked" err.txt' \
    "status $rc" "$(cat err.txt)"
if [ -x target-static ]; then
    rm -f uc.json uc2.json
    "${T[@]}" "$LG" run --lib "$RT" --json uc.json -- sh -c './target-static exit 0; ./target-static exit 0' > /dev/null 2>&1
    "${T[@]}" "$LG" run --lib "$RT" --json uc2.json -- sh -c './target exit 0' > /dev/null 2>&1
    check "started by the program: the JSON report counts the programs that run unchecked" \
        'grep -Eq "\"unchecked_programs\": 1([,}]|$)" uc.json && [ -s uc2.json ] && ! grep -q unchecked_programs uc2.json' \
        "$(grep -o '"summary".*' uc.json uc2.json 2>&1)"
fi

# ---- options as ASan users write them -------------------------------------------------------------
"${T[@]}" env LIFEGUARD_OPTIONS="nosuch=1:json_path=$work/o1.json" LD_PRELOAD=$RT ./hostile double-free 2> err.txt
check "runtime: a bad entry is warned about, the others apply" \
    'grep -q "ignoring unknown option .nosuch.*the other options apply" err.txt && [ -s o1.json ]' \
    "$(head -3 err.txt)" "$(ls)"
"${T[@]}" env LIFEGUARD_OPTIONS="json_path=$work/o2.json,leaks=0" LD_PRELOAD=$RT ./hostile double-free 2> err.txt
check "runtime: ',' separates entries" '[ -s o2.json ] && [ ! -e "o2.json,leaks=0" ]' "$(ls)"
"${T[@]}" env LIFEGUARD_OPTIONS="log_path=stderr" LD_PRELOAD=$RT ./hostile double-free 2> err.txt > out.txt
check "runtime: log_path=stderr is the stream, not a file" '[ ! -e stderr ] && grep -q double-free err.txt' "$(ls)"
"${T[@]}" env LIFEGUARD_OPTIONS="log_path=stdout" LD_PRELOAD=$RT ./hostile double-free 2> err.txt > out.txt
check "runtime: log_path=stdout is the stream" '[ ! -e stdout ] && grep -q double-free out.txt && ! grep -q double-free err.txt' "$(ls)"
mkdir -p sub
"${T[@]}" env LIFEGUARD_OPTIONS="json_path=rel.json" LD_PRELOAD=$RT ./hostile chdir-double-free sub 2> err.txt
check "runtime: a relative json_path is resolved where the program started" '[ -s rel.json ] && [ ! -e sub/rel.json ]' "$(ls . sub)"
"${T[@]}" env LIFEGUARD_OPTIONS="log_fd=99" LD_PRELOAD=$RT ./hostile double-free 2> err.txt
check "runtime: log_fd=99 (not open) is said, the report goes to stderr" \
    'grep -q "log_fd=99 is not an open file descriptor" err.txt && grep -q "ERROR: lifeguard: double-free" err.txt' "$(head -3 err.txt)"
"${T[@]}" env LIFEGUARD_OPTIONS="json_path=$work/nodir/x.json" LD_PRELOAD=$RT ./hostile double-free 2> err.txt
check "runtime: a json_path that cannot be written is said" 'grep -q "cannot write the JSON report to .*nodir/x.json" err.txt' \
    "$(head -3 err.txt)"

"${T[@]}" "$LG" run --lib "$RT" -o log_path=$work/ulog.txt -- ./hostile double-free > out.txt 2> err.txt
check "run: -o log_path=FILE receives the symbolized report" \
    'grep -q " in double_free .*hostile\.c:[0-9]" ulog.txt && ! grep -q double-free err.txt' "$(head -3 ulog.txt)" "$(head -3 err.txt)"
"${T[@]}" "$LG" run --lib "$RT" --json - -- ./hostile double-free > out.txt 2> err.txt
check "run: --json - writes the JSON report to stdout" '[ "$(jq -r ".findings[0].kind" out.txt)" = double-free ]' \
    "$(head -c 300 out.txt)"
"${T[@]}" "$LG" run --lib "$RT" --json "$work/pp.%p.json" --log "$work/pp.%p.log" -- ./hostile close-fds > out.txt 2> err.txt
check "run: %p in --json and --log gives each process its own files" \
    '[ "$(ls pp.*.json | wc -l)" = 2 ] && [ "$(ls pp.*.log | wc -l)" -ge 1 ] && grep -q double-free pp.*.log' "$(ls pp.* 2>&1)"
if [ "$(id -u)" = 0 ] && mknod full c 1 7 2> /dev/null; then
    "${T[@]}" "$LG" run --lib "$RT" --log "$work/full" -- ./hostile double-free > out.txt 2> err.txt
    check "run: --log on a full device: the failure said, the report on stderr" \
        'grep -q "cannot write the report: No space left on device" err.txt && grep -q "ERROR: lifeguard: double-free" err.txt' \
        "$(head -3 err.txt)"
else
    skip "run: --log on a full device (needs root and mknod)"
fi

harness_finish
