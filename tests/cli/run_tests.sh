#!/usr/bin/env bash
# tests/cli/run_tests.sh — tests of the lifeguard command-line tool: the
# symbolizer (text and JSON, checked against binutils' addr2line), `run`'s
# plumbing with a fake runtime library, and every bad-input error message.
#
# usage: tests/cli/run_tests.sh [LIFEGUARD [RUNTIME_LIB]]
#   LIFEGUARD    the tool (default: build/bin/lifeguard)
#   RUNTIME_LIB  the real liblifeguard.so, for the end-to-end case
#                (default: build/lib/liblifeguard.so; skipped when absent)
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
LG=$(realpath "${1:-$root/build/bin/lifeguard}")
RTLIB=${2:-$root/build/lib/liblifeguard.so}
CC=${CC:-cc}

work=$(mktemp -d "${TMPDIR:-/tmp}/lgcli-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

. "$root/tests/harness.sh"

# ---- fixtures ---------------------------------------------------------------
cp "$here/prog.c" "$here/target.c" "$here/fake_runtime.c" .
$CC -g -O2 -o prog prog.c || exit 1
$CC -g -O0 -no-pie -o prog_nopie prog.c || exit 1
$CC -g -O0 -o target target.c || exit 1
$CC -shared -fPIC -o fake.so fake_runtime.c || exit 1
echo 'int lg_test_other_preload;' > other.c && $CC -shared -fPIC -o other.so other.c || exit 1
printf 'not an ELF file\n' > notelf.so
printf '#!/bin/sh\nexit 0\n' > noexec && chmod -x noexec
mkdir adir

sym() { nm "$1" | awk -v s="$2" '$3 == s { print $1 }'; }
hex() { printf '0x%x' "$1"; }

# addr2line's answer for a return address: "FUNCTION FILE:LINE" per frame,
# innermost first (discriminators dropped).
a2l() {
    addr2line -f -i -e "$1" "$(hex $(($2 - 1)))" | paste - - |
        sed -e 's/ (discriminator [0-9]*)//' -e 's/\t/ /'
}

# Our text answer, reduced to the same form.
ours() {
    printf '    #3 0x7f0000001000 (%s+%s)\n' "$1" "$(hex "$2")" | "$LG" symbolize |
        sed -n 's/^ *#3 0x7f0000001000 in \(.*\) (.*+0x[0-9a-f]*)$/\1/p'
}

# ---- symbolize: text ----------------------------------------------------------
middle=$((0x$(sym prog middle)))
main_nopie=$((0x$(sym prog_nopie main)))

# A frame in the body of middle (PIE), then one in main (non-PIE, ET_EXEC).
for case in "prog $((middle + 1))" "prog_nopie $((main_nopie + 8))"; do
    set -- $case
    want=$(a2l "$1" "$2")
    got=$(ours "$work/$1" "$2")
    if [ -n "$got" ] && [ "$got" = "$want" ] && echo "$got" | grep -q 'prog\.c:[0-9]'; then
        ok "text frame in $1+$(hex "$2") matches addr2line"
    else
        bad "text frame in $1+$(hex "$2") matches addr2line" "want: $want" "got:  $got"
    fi
done

# An address where leaf() is inlined into middle(): two lines, same #N.
inl=""
for d in $(seq 1 64); do
    if a2l prog $((middle + d)) | head -1 | grep -q '^leaf '; then inl=$((middle + d)); break; fi
done
if [ -z "$inl" ]; then
    skip "inlined frames (the compiler inlined nothing where expected)"
else
    want=$(a2l prog "$inl")
    out=$(printf '  #5 0x1 in middle (%s/prog+%s)\n' "$work" "$(hex "$inl")" | "$LG" symbolize)
    got=$(echo "$out" | sed -n 's/^  #5 0x1 in \(.*\) (.*)$/\1/p')
    if [ "$(echo "$out" | wc -l)" = 2 ] && [ "$got" = "$want" ] &&
        echo "$out" | head -1 | grep -q '^  #5 0x1 in leaf ' &&
        echo "$out" | tail -1 | grep -q '^  #5 0x1 in middle '; then
        ok "inlined call expanded before its caller, same frame number"
    else
        bad "inlined call expanded before its caller, same frame number" "want: $want" "got:  $out"
    fi
fi

# Lines that are not frames, and frames of unreadable modules, pass unchanged.
cat > plain.txt <<EOF
==1234==ERROR: lifeguard: double-free: free() of 0x7f0000001010, a 64-byte block already freed
  this free:
    #1 0x7f12345678 (/nonexistent/lib.so+0x271ca)
    #2 0x7f12345678 in cheap_name (/nonexistent/lib.so+0x271ca)
    #x 0x1 (x+0x1)
    #3 0x1 ($work/prog+0xzz)
  #4 ($work/prog+0x1)

SUMMARY: lifeguard: 1 error
EOF
if "$LG" symbolize plain.txt | cmp -s - plain.txt; then ok "non-frame lines and unknown modules pass unchanged"
else bad "non-frame lines and unknown modules pass unchanged" "$("$LG" symbolize plain.txt | diff plain.txt - | head -5)"; fi

# A whole report, from stdin; symbolizing it again changes nothing.
{
    echo "==77==ERROR: lifeguard: use-after-free"
    printf '    #0 0x1 in middle (%s/prog+%s)\n' "$work" "$(hex $((middle + 1)))"
    printf '    #1 0x2 (%s/prog_nopie+%s)\n' "$work" "$(hex $((main_nopie + 8)))"
    printf '    #2 0x3 (%s/prog+%s)\n' "$work" "$(hex "${inl:-$((middle + 1))}")"
} > report.txt
"$LG" symbolize - < report.txt > once.txt
"$LG" symbolize once.txt > twice.txt
if [ "$(head -1 once.txt)" = "==77==ERROR: lifeguard: use-after-free" ] && grep -q ' in main .*prog\.c:[0-9]* (' once.txt &&
    cmp -s once.txt twice.txt; then
    ok "symbolize is idempotent and reads stdin"
else
    bad "symbolize is idempotent and reads stdin" "$(cat once.txt)" "$(diff once.txt twice.txt)"
fi

# ---- symbolize: JSON --------------------------------------------------------------
frame() { printf '{"pc": "0x1", "module": "%s", "offset": "%s"%s}' "$1" "$(hex "$2")" "${3:-}"; }
cat > report.json <<EOF

{"tool": "lifeguard", "version": "0.1.0", "pid": 12, "command": ["./prog"],
 "findings": [{"kind": "double-free", "message": "m", "address": "0x10",
   "block": {"address": "0x10", "size": 64},
   "stacks": {"access": [$(frame "$work/prog" $((middle + 1)) ', "function": "cheap"'),
                         $(frame /nonexistent/x.so 4096)],
              "free": [$(frame "$work/prog" "${inl:-$((middle + 1))}")]},
   "holders": [{"holder": "0x1", "holder_type": "T", "holder_id": 3, "count": 2,
                "stacks": [[$(frame "$work/prog_nopie" $((main_nopie + 8)))]]}]}],
 "summary": {"errors": 1}}
EOF
"$LG" symbolize report.json > sym.json
rc=$?
want_line=$(a2l prog $((middle + 1)) | tail -1 | sed 's/.*://')
if [ $rc = 0 ] && grep -q '"function": "middle"' sym.json && grep -q "\"line\": $want_line" sym.json &&
    grep -q '"function": "main"' sym.json && ! grep -q '"function": "cheap"' sym.json && grep -q '"symbol": "cheap"' sym.json &&
    grep -q '"module": "/nonexistent/x.so"' sym.json; then
    ok "JSON frames get function, file and line, everywhere in the document"
else
    bad "JSON frames get function, file and line, everywhere in the document" "$(head -c 1500 sym.json)"
fi
# Key order kept: pc, module, offset, then what symbolize added.
order=$(grep -o '"pc"\|"module"\|"offset"\|"function"\|"file"\|"line"' sym.json | head -6 | tr '\n' ' ')
if [ "$order" = '"pc" "module" "offset" "function" "file" "line" ' ]; then ok "JSON key order kept"
else bad "JSON key order kept" "$order"; fi
if [ -n "$inl" ]; then
    if grep -q '"inlined"' sym.json && grep -A3 '"inlined"' sym.json | grep -q '"function": "leaf"'; then
        ok "JSON inlined calls listed in \"inlined\""
    else
        bad "JSON inlined calls listed in \"inlined\"" "$(cat sym.json)"
    fi
fi
unknown_frame=$(grep -A4 '/nonexistent/x.so' sym.json | grep -c '"function"\|"file"\|"line"')
if [ "$unknown_frame" = 0 ]; then ok "JSON frame of a missing module left as it was"
else bad "JSON frame of a missing module left as it was" "$(grep -A4 /nonexistent sym.json)"; fi

# ---- bad input: one line on stderr, status 2, program not started --------------------
# expect_error NAME PATTERN COMMAND...: runs COMMAND with TARGET_MARKER set.
expect_error() {
    local name=$1 pattern=$2
    shift 2
    rm -f marker
    TARGET_MARKER=$work/marker "$@" > out.txt 2> err.txt < /dev/null
    local rc=$? lines
    lines=$(wc -l < err.txt)
    if [ $rc = 2 ] && [ "$lines" = 1 ] && grep -q '^lifeguard: ' err.txt && grep -q -- "$pattern" err.txt &&
        [ ! -e marker ]; then
        ok "error: $name"
    else
        bad "error: $name" "status $rc, $lines stderr lines, program started: $([ -e marker ] && echo yes || echo no)" \
            "stderr: $(head -c 400 err.txt)" "wanted: $pattern"
    fi
}

R=(--lib "$work/fake.so")
expect_error "unknown runtime option" "unknown option 'nosuch'" "$LG" run "${R[@]}" -o nosuch=1 -- ./target
expect_error "option without a value" "in -o 'stacks'" "$LG" run "${R[@]}" -o stacks -- ./target
expect_error "option with a bad value" "stack_depth" "$LG" run "${R[@]}" -o stack_depth=0 -- ./target
expect_error "bad bool" "halt_on_error" "$LG" run "${R[@]}" --options "leaks=1:halt_on_error=maybe" -- ./target
expect_error "bad option in --options names it" "in --options" "$LG" run "${R[@]}" --options "leaks=1:bogus=2" -- ./target
expect_error "bad LIFEGUARD_OPTIONS" "in LIFEGUARD_OPTIONS" env LIFEGUARD_OPTIONS=quarantine_mb=lots "$LG" run "${R[@]}" -- ./target
printf 'leak:fine\nnot a rule\n' > bad.supp
expect_error "missing suppressions file" "suppressions file '/nonexistent/s.supp' cannot be read" \
    "$LG" run "${R[@]}" -o suppressions=/nonexistent/s.supp -- ./target
expect_error "bad suppressions line" "bad.supp': suppressions line 2" "$LG" run "${R[@]}" -o suppressions=bad.supp -- ./target
expect_error "missing --" "missing '--' before the program" "$LG" run "${R[@]}" ./target
expect_error "no program at all" "missing '--' and the program" "$LG" run "${R[@]}"
expect_error "nothing after --" "no program after '--'" "$LG" run "${R[@]}" --
expect_error "bad --count-errors" "takes 'all' or 'top'" "$LG" run "${R[@]}" --count-errors some -- ./target
expect_error "unknown run argument" "unknown argument '--frob'" "$LG" run "${R[@]}" --frob -- ./target
expect_error "flag without its value" "--json needs a value" "$LG" run "${R[@]}" --json
expect_error "flag value missing before --" "--log needs a value" "$LG" run "${R[@]}" --log -- ./target
printf '#!/nonexistent/interpreter\n' > badinterp && chmod +x badinterp
expect_error "program cannot be executed" "cannot execute './badinterp'" "$LG" run "${R[@]}" -- ./badinterp
expect_error "program not found" "cannot run program './nosuchprog'" "$LG" run "${R[@]}" -- ./nosuchprog
expect_error "program not in PATH" "program 'nosuchprog-lg' not found in PATH" "$LG" run "${R[@]}" -- nosuchprog-lg
expect_error "program not executable" "not executable" "$LG" run "${R[@]}" -- ./noexec
expect_error "program is a directory" "is a directory" "$LG" run "${R[@]}" -- ./adir
expect_error "--json in a missing directory" "directory 'nodir' does not exist" "$LG" run "${R[@]}" --json nodir/r.json -- ./target
expect_error "--json is a directory" "'adir' is a directory" "$LG" run "${R[@]}" --json adir -- ./target
expect_error "--json over a file of /proc (no new file can be made there)" "directory '/proc'" \
    "$LG" run "${R[@]}" --json /proc/version -- ./target
expect_error "--log in a missing directory" "--log 'nodir/x.log': directory 'nodir' does not exist" "$LG" run "${R[@]}" --log nodir/x.log -- ./target
expect_error "--log under a file" "'target' is not a directory" "$LG" run "${R[@]}" --log target/x.log -- ./target
expect_error "--json and --log the same file" "the same file" "$LG" run "${R[@]}" --json same.txt --log same.txt -- ./target
if [ "$(id -u)" != 0 ]; then
    mkdir rodir && chmod 555 rodir
    expect_error "--json in a read-only directory" "is not writable" "$LG" run "${R[@]}" --json rodir/r.json -- ./target
else
    skip "error: --json in a read-only directory (root writes anywhere)"
fi
expect_error "missing runtime library (--lib)" "runtime library '/nonexistent/liblifeguard.so' (from --lib)" "$LG" run --lib /nonexistent/liblifeguard.so -- ./target
expect_error "missing runtime library (LIFEGUARD_LIB)" "from LIFEGUARD_LIB" env LIFEGUARD_LIB=/nonexistent/l.so "$LG" run -- ./target
expect_error "runtime library is not ELF" "not an ELF shared library" "$LG" run --lib notelf.so -- ./target
expect_error "runtime library is another library" "is not lifeguard's runtime" "$LG" run --lib other.so -- ./target
mkdir -p lone/bin && cp "$LG" lone/bin/lifeguard
expect_error "no runtime library beside the executable" "lone/bin/../lib/liblifeguard.so" env -u LIFEGUARD_LIB lone/bin/lifeguard run -- ./target
expect_error "unknown command" "unknown command 'frobnicate'" "$LG" frobnicate
expect_error "symbolize: missing file" "cannot open report 'nosuch.txt'" "$LG" symbolize nosuch.txt
expect_error "symbolize: a directory" "'adir': it is a directory" "$LG" symbolize adir
expect_error "symbolize: two files" "takes one FILE" "$LG" symbolize a b
printf '{"findings": [{"stacks": {"alloc": [{"pc": "0x1",}]}}]}\n' > corrupt.json
expect_error "symbolize: corrupt JSON names file and position" "corrupt.json: corrupt JSON report at line 1, column" "$LG" symbolize corrupt.json
printf '\n\n{"findings": [\n' > cut.json
expect_error "symbolize: cut JSON names the line" "cut.json: corrupt JSON report at line 4" "$LG" symbolize cut.json

# ---- run, with a fake runtime ----------------------------------------------------------
off=$(hex $((0x$(sym target main) + 1)))
mkdir tmp
TMPDIR=$work/tmp FAKE_OFFSET=$off FAKE_ENV_DUMP=env.txt LIFEGUARD_OPTIONS=verbosity=1 LD_PRELOAD=$work/other.so \
    "$LG" run --lib ./fake.so --json run.json -o stacks=0 --options "leaks=0:refs=1" -- ./target exit 0 \
    > out.txt 2> err.txt
rc=$?
opts=$(sed -n 's/^OPTS=//p' env.txt)
if [[ $rc = 0 && $opts =~ ^verbosity=1:leaks=0:refs=1:stacks=0:log_path=$work/tmp/lifeguard\.[^/]*/%p\.log:json_path=$work/tmp/lifeguard\.[^/]*/%p\.json:guard_sites_file=/proc/[0-9]+/fd/[0-9]+:run_pid=[0-9]+$ ]]; then
    ok "run: LIFEGUARD_OPTIONS merged in order, plumbing last"
else
    bad "run: LIFEGUARD_OPTIONS merged in order, plumbing last" "status $rc" "$opts"
fi
if grep -q "^PRELOAD=$work/fake.so:$work/other.so\$" env.txt; then ok "run: runtime prepended to LD_PRELOAD"
else bad "run: runtime prepended to LD_PRELOAD" "$(grep PRELOAD env.txt)"; fi
if grep -q '^==[0-9]*==ERROR: lifeguard: fake$' err.txt && grep -q '^    #0 0x1234 in main .*target\.c:[0-9]* (' err.txt &&
    grep -q '^plain line$' err.txt; then
    ok "run: log read from the run's directory and symbolized on stderr"
else
    bad "run: log read from the run's directory and symbolized on stderr" "$(cat err.txt)"
fi
if grep -q '"function": "main"' run.json && grep -q '"file": ".*target\.c"' run.json; then ok "run: --json written, symbolized"
else bad "run: --json written, symbolized" "$(cat run.json 2>&1 | head -20)"; fi
if [ -z "$(ls -A tmp)" ] && [[ $opts == *json_path=$work/tmp/lifeguard.* ]]; then ok "run: its temporary directory (under TMPDIR) removed"
else bad "run: its temporary directory (under TMPDIR) removed" "$(ls -A tmp)"; fi

FAKE_OFFSET=$off "$LG" run --lib ./fake.so --log run.log -- ./target exit 0 2> err.txt
if [ ! -s err.txt ] && grep -q ' in main ' run.log; then ok "run: --log receives the report"
else bad "run: --log receives the report" "stderr: $(cat err.txt)" "log: $(cat run.log)"; fi

for c in "exit 7:7" "exit 0:0" "signal 9:137" "signal 6:134"; do
    args=${c%%:*} want=${c##*:}
    "$LG" run --lib ./fake.so -- ./target $args 2> /dev/null
    rc=$?
    if [ $rc = "$want" ]; then ok "run: status of '$args' is $want"; else bad "run: status of '$args' is $want" "got $rc"; fi
done

start=$(date +%s%N)
mkdir -p tmp-linger
TMPDIR=$work/tmp-linger TARGET_LINGER_PIDFILE=$work/linger.pid "$LG" run --lib ./fake.so -- ./target linger > /dev/null 2> err.txt
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
[ -s linger.pid ] && kill "$(cat linger.pid)" 2> /dev/null
if [ $rc = 3 ] && [ $ms -lt 5000 ] && grep -q "pid $(cat linger.pid), started by the program, is still running" err.txt; then
    ok "run: a grandchild still running does not hold lifeguard, which says where its reports go (${ms} ms)"
else
    bad "run: a grandchild still running does not hold lifeguard, which says where its reports go" "status $rc after $ms ms" "$(cat err.txt)"
fi

"$LG" run --lib ./fake.so -- ./target sleep > /dev/null 2>&1 &
lgpid=$!
sleep 0.5
kill -TERM $lgpid
wait $lgpid
rc=$?
if [ $rc = 143 ]; then ok "run: SIGTERM forwarded to the program"; else bad "run: SIGTERM forwarded to the program" "status $rc"; fi

"$LG" run --lib ./fake.so --json multi.json -- ./target spawn 2> /dev/null
rc=$?
others=$(ls multi.json.* 2> /dev/null | wc -l)
if [ $rc = 0 ] && [ -s multi.json ] && [ "$others" = 1 ]; then ok "run: reports of spawned processes go to FILE.PID"
else bad "run: reports of spawned processes go to FILE.PID" "status $rc, $(ls multi.json*)"; fi

FAKE_ERRORS=2 "$LG" run --lib ./fake.so -- ./target spawn 2> /dev/null
rc=$?
if [ $rc = 1 ]; then ok "run: errors in the JSON reports make the status exitcode"
else bad "run: errors in the JSON reports make the status exitcode" "status $rc"; fi
FAKE_ERRORS=2 "$LG" run --lib ./fake.so -o exitcode=9 -- ./target exit 0 2> /dev/null
rc=$?
if [ $rc = 9 ]; then ok "run: ... the exitcode option's"; else bad "run: ... the exitcode option's" "status $rc"; fi

echo stale > nojson.json
FAKE_NO_JSON=1 "$LG" run --lib ./fake.so --json nojson.json -- ./target exit 0 2> err.txt
rc=$?
if [ $rc = 2 ] && [ ! -e nojson.json ] && grep -q 'wrote no JSON report' err.txt; then
    ok "run: a missing JSON report is an error, the stale file removed"
else
    bad "run: a missing JSON report is an error, the stale file removed" "status $rc" "$(cat err.txt)"
fi

FAKE_BAD_JSON=1 "$LG" run --lib ./fake.so --json badrun.json -- ./target exit 5 2> err.txt
rc=$?
if [ $rc = 5 ] && grep -q 'corrupt JSON report' err.txt; then ok "run: a corrupt JSON report is named, the program's status kept"
else bad "run: a corrupt JSON report is named, the program's status kept" "status $rc" "$(cat err.txt)"; fi

# A script without "#!" runs through /bin/sh, as from a shell.
printf 'exit 4\n' > plainscript && chmod +x plainscript
"$LG" run --lib ./fake.so -- ./plainscript 2> /dev/null
rc=$?
if [ $rc = 4 ]; then ok "run: a script without #! runs through /bin/sh"; else bad "run: a script without #! runs through /bin/sh" "status $rc"; fi

# The default library: ../lib/liblifeguard.so beside the executable.
mkdir -p inst/bin inst/lib && cp "$LG" inst/bin/lifeguard && cp fake.so inst/lib/liblifeguard.so
FAKE_ENV_DUMP=env2.txt env -u LIFEGUARD_LIB inst/bin/lifeguard run -- ./target exit 0 2> /dev/null
if grep -q "^PRELOAD=$work/inst/lib/liblifeguard.so\$" env2.txt; then ok "run: finds ../lib/liblifeguard.so beside itself"
else bad "run: finds ../lib/liblifeguard.so beside itself" "$(cat env2.txt 2>&1)"; fi

# ---- help and version ---------------------------------------------------------------------
if [ "$("$LG" --version)" = "lifeguard 0.1.0" ]; then ok "--version"; else bad "--version" "$("$LG" --version)"; fi
help=$("$LG" --help)
missing=""
for o in log_path log_fd json_path exitcode halt_on_error stack_depth quarantine_mb redzone leaks suppressions; do
    echo "$help" | grep -q "^  $o  *\(bool\|uint\|text\) " || missing="$missing $o"
done
if [ -z "$missing" ] && echo "$help" | grep -q 'lifeguard run' && echo "$help" | grep -q 'lifeguard symbolize' &&
    [ "$("$LG" -h)" = "$help" ] && [ "$("$LG" help)" = "$help" ]; then
    ok "--help lists the commands and every option with type and default"
else
    bad "--help lists the commands and every option with type and default" "missing:$missing"
fi

# ---- the real runtime, when it is built ---------------------------------------------------
if [ -f "$RTLIB" ]; then
    cp "$here/double_free.c" .
    $CC -g -O0 -o double_free double_free.c
    "$LG" run --lib "$RTLIB" --json df.json -- ./double_free > out.txt 2> err.txt
    rc=$?
    if [ $rc = 1 ] && grep -q 'double-free' err.txt && grep -q ' in main .*double_free\.c:[0-9]* (' err.txt &&
        grep -q '"file": ".*double_free\.c"' df.json; then
        ok "run with the real runtime: double-free found, symbolized in text and JSON"
    else
        bad "run with the real runtime: double-free found, symbolized in text and JSON" "status $rc" \
            "$(head -20 err.txt)" "$(head -c 600 df.json 2>&1)"
    fi

    # A run's clean processes create no report file unless reports are asked
    # for: the program (sh) writes its own, a process with a finding writes
    # its own, the clean ones (target spawn and its exec'd child, twice)
    # none.  target linger leaves a process running, so the run's directory
    # is kept and can be looked at.
    $CC -g -O0 -o target_rt target.c
    for mode in text json; do
        rm -rf tmp-clean && mkdir tmp-clean && rm -f linger.pid clean.json*
        json_args=()
        [ $mode = json ] && json_args=(--json clean.json)
        TMPDIR=$work/tmp-clean TARGET_LINGER_PIDFILE=$work/linger.pid "$LG" run --lib "$RTLIB" "${json_args[@]}" -- \
            sh -c './target_rt spawn; ./target_rt spawn; ./double_free; ./target_rt linger' > /dev/null 2> err.txt
        rc=$?
        [ -s linger.pid ] && kill "$(cat linger.pid)" 2> /dev/null
        dir=$(sed -n 's/.*its reports will be in \(.*\)\/[0-9]*\.log and.*/\1/p' err.txt | head -1)
        reports=$(ls "$dir" 2> /dev/null | grep -c '\.json$')
        if [ $mode = text ]; then
            check_eval "run: clean processes of a run create no report file (the program's and a finding's only)" \
                '[ $rc = 3 ] && [ -n "$dir" ] && [ "$reports" = 2 ] && grep -q double-free err.txt' \
                "status $rc, $reports JSON files in '$dir'" "$(ls "$dir" 2>&1)" "$(head -5 err.txt)"
        else
            children=$(ls clean.json.* 2> /dev/null | wc -l)
            check_eval "run --json: every process of the run still has its report (clean ones too)" \
                '[ $rc = 3 ] && [ -s clean.json ] && [ "$children" -ge 5 ]' "status $rc, $children children's reports" \
                "$(head -5 err.txt)"
        fi
    done
else
    skip "run with the real runtime ($RTLIB not built)"
fi

harness_finish
