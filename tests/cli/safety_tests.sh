#!/usr/bin/env bash
# tests/cli/safety_tests.sh — lifeguard as a hostile tester and a CI user run
# it, as root: files it must never damage (devices, FIFOs, symlinks, planted
# names, set-uid programs), names that must not forge report lines, inputs
# that must not hang it.  Everything happens on private copies: device nodes
# made with mknod in a temporary directory, /dev and /etc replaced inside a
# private mount namespace (unshare -m).  The machine's own /dev and /etc are
# never written.  A part that needs what the machine lacks (root, unshare,
# mknod) says so and is skipped; it never passes silently.
#
# usage: tests/cli/safety_tests.sh LIFEGUARD RUNTIME_LIB
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
LG=$(realpath "${1:-$root/build/bin/lifeguard}")
RTLIB=$(realpath "${2:-$root/build/lib/liblifeguard.so}")
CC=${CC:-cc}

work=$(mktemp -d "${TMPDIR:-/tmp}/lgsafety.XXXXXX")
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
cd "$work" || exit 1

. "$root/tests/harness.sh"
check() { check_eval "$@"; }
ftype() { stat -c %F "$1" 2> /dev/null || echo missing; }

is_root=0
[ "$(id -u)" = 0 ] && is_root=1
can_mknod=0
if [ $is_root = 1 ] && mknod "$work/probe" c 1 3 2> /dev/null; then can_mknod=1; rm -f "$work/probe"; fi
can_ns=0
[ $is_root = 1 ] && unshare -m true 2> /dev/null && can_ns=1

# ---- fixtures -------------------------------------------------------------------
cp "$here/hostile.c" "$here/fake_runtime.c" "$here/target.c" .
$CC -g -O0 -I"$root/include" -o hostile hostile.c -ldl || exit 1
$CC -g -O0 -o target target.c || exit 1
$CC -shared -fPIC -o fake.so fake_runtime.c || exit 1
printf '#include <stdlib.h>\nvoid lib_double_free(void) { char *volatile p = malloc(8); free(p); free(p); }\n' > hlib.c
$CC -g -O0 -shared -fPIC -o hlib.so hlib.c || exit 1
mkdir -p lib && cp "$RTLIB" lib/liblifeguard.so && chmod -R a+rX lib
RT=$work/lib/liblifeguard.so
T=(timeout 20)

# ---- --json onto things that are not regular files -------------------------------------
if [ $can_mknod = 1 ]; then
    mknod nulldev c 1 3 && mknod fulldev c 1 7
    ln -s nulldev link-to-dev
    "${T[@]}" "$LG" run --lib "$RT" --json nulldev -- ./hostile double-free > /dev/null 2> err.txt
    check "--json onto a character device writes through it, leaves the node" \
        '[ "$(ftype nulldev)" = "character special file" ] && ! ls nulldev.* > /dev/null 2>&1' \
        "type $(ftype nulldev)" "$(cat err.txt | tail -3)"
    "${T[@]}" "$LG" run --lib "$RT" --json link-to-dev -- ./hostile double-free > /dev/null 2> err.txt
    check "--json onto a symlink to a device keeps the symlink and the device" \
        '[ "$(ftype link-to-dev)" = "symbolic link" ] && [ "$(ftype nulldev)" = "character special file" ]' \
        "link $(ftype link-to-dev), node $(ftype nulldev)"
    "${T[@]}" "$LG" run --lib "$RT" --json fulldev -- ./hostile exit0 > /dev/null 2> err.txt
    rc=$?
    check "--json onto /dev/full: the write error named, status 2, the node kept" \
        '[ $rc = 2 ] && grep -q "fulldev.*No space left" err.txt && [ "$(ftype fulldev)" = "character special file" ]' \
        "status $rc" "$(cat err.txt)"
    FAKE_NO_JSON=1 "${T[@]}" "$LG" run --lib ./fake.so --json nulldev -- ./target exit 0 > /dev/null 2> err.txt
    check "no JSON report: a device given as --json is not deleted" \
        '[ "$(ftype nulldev)" = "character special file" ] && grep -q "wrote no JSON report" err.txt' \
        "type $(ftype nulldev)" "$(cat err.txt)"
    # The runtime's own json_path, without the command.
    "${T[@]}" env LIFEGUARD_OPTIONS=json_path=$work/nulldev LD_PRELOAD=$RT ./hostile double-free 2> /dev/null
    check "runtime json_path onto a device leaves the node" '[ "$(ftype nulldev)" = "character special file" ]' \
        "type $(ftype nulldev)"
    mknod blockdev b 7 200
    "${T[@]}" "$LG" run --lib "$RT" --json blockdev -- ./hostile exit0 > /dev/null 2> err.txt
    rc=$?
    check "--json onto a block device is refused before the run" \
        '[ $rc = 2 ] && grep -q "block device" err.txt && [ "$(ftype blockdev)" = "block special file" ]' \
        "status $rc" "$(cat err.txt)"
else
    skip "--json onto device nodes (needs root and mknod)"
fi

mkfifo jfifo
(timeout 20 cat jfifo > fifo-got.txt) &
reader=$!
"${T[@]}" "$LG" run --lib "$RT" --json jfifo -- ./hostile double-free > /dev/null 2> err.txt
wait $reader
check "--json onto a FIFO with a reader: the report goes through, the FIFO stays" \
    '[ "$(ftype jfifo)" = fifo ] && grep -q "\"double-free\"" fifo-got.txt' "type $(ftype jfifo)" "$(head -c 300 fifo-got.txt)"
start=$SECONDS
"${T[@]}" "$LG" run --lib "$RT" --json jfifo -- ./hostile exit0 > /dev/null 2> err.txt
rc=$?
check "--json onto a FIFO nobody reads: an error, no hang, the FIFO stays" \
    '[ $rc = 2 ] && [ $((SECONDS - start)) -lt 15 ] && [ "$(ftype jfifo)" = fifo ] && grep -q "jfifo" err.txt' \
    "status $rc after $((SECONDS - start)) s" "$(cat err.txt)"

# ---- planted names and modes ---------------------------------------------------------------
echo secret > victim && chmod 600 victim
ln -s victim planted.json.lgtmp
"${T[@]}" env LIFEGUARD_OPTIONS=json_path=$work/planted.json LD_PRELOAD=$RT ./hostile double-free 2> /dev/null
check "runtime: a symlink planted at the old temporary name is not written through" \
    '[ "$(cat victim)" = secret ] && grep -q "\"double-free\"" planted.json' "victim: $(head -c 100 victim)"
check "runtime: the JSON report is created mode 0600 (less the umask)" '[ "$(stat -c %a planted.json)" = 600 ]' \
    "mode $(stat -c %a planted.json)"
"${T[@]}" "$LG" run --lib "$RT" --json cli.json -- ./hostile double-free > /dev/null 2>&1
check "run: --json FILE is created mode 0600 (less the umask), no temporary left" \
    '[ "$(stat -c %a cli.json)" = 600 ] && ! ls cli.json?* > /dev/null 2>&1' "mode $(stat -c %a cli.json)" "$(ls)"
ln -s victim linked.json
"${T[@]}" "$LG" run --lib "$RT" --json linked.json -- ./hostile double-free > /dev/null 2>&1
check "run: --json through a symlink to a regular file writes the file, keeps the link" \
    '[ "$(ftype linked.json)" = "symbolic link" ] && grep -q "\"double-free\"" victim' "link $(ftype linked.json)"
echo secret > victim

# ---- /dev in a private mount namespace ---------------------------------------------------------
if [ $can_ns = 1 ] && [ $can_mknod = 1 ]; then
    cat > ns.sh << EOF
set -e
mount -t tmpfs lgdev /dev
mknod -m 666 /dev/null c 1 3
ln -s /proc/self/fd/1 /dev/stdout
ln -s /proc/self/fd/2 /dev/stderr
"$LG" run --lib "$RT" --json /dev/stdout -- ./hostile double-free > ns-stdout.txt 2> ns-err.txt || true
FAKE_NO_JSON=1 "$LG" run --lib ./fake.so --json /dev/null -- ./target exit 0 2>> ns-err.txt || true
echo "stdout:\$(stat -c %F /dev/stdout) null:\$(stat -c %F /dev/null)" > ns-types.txt
EOF
    "${T[@]}" unshare -m --propagation private bash ns.sh
    check "private /dev: --json /dev/stdout prints the report, /dev/stdout and /dev/null survive" \
        'grep -q "stdout:symbolic link null:character special file" ns-types.txt && grep -q "\"double-free\"" ns-stdout.txt' \
        "$(cat ns-types.txt 2>&1)" "$(head -c 300 ns-err.txt)"
else
    skip "/dev in a private mount namespace (needs root, unshare -m and mknod)"
fi

# ---- secure execution: the runtime in ld.so.preload, a set-uid program ------------------------------
if [ $can_ns = 1 ]; then
    mkdir -p etc-copy open && cp -a /etc/. etc-copy/ && echo "$RT" > etc-copy/ld.so.preload
    chmod 777 open
    cp hostile suid-hostile && chown 65534:65534 suid-hostile && chmod 4755 suid-hostile
    echo 'leak:x' > open/secret.supp && chmod 600 open/secret.supp
    cat > ns-suid.sh << EOF
mount --bind "$work/etc-copy" /etc
LIFEGUARD_OPTIONS="json_path=$work/open/r.json:log_path=$work/open/r.log:suppressions=$work/open/secret.supp" \
    ./suid-hostile secure > suid-out.txt 2> suid-err.txt
EOF
    "${T[@]}" unshare -m --propagation private bash ns-suid.sh
    if grep -q 'AT_SECURE=1' suid-out.txt; then
        check "set-uid program: path options from the environment ignored, with one warning" \
            '[ ! -e open/r.json ] && [ ! -e open/r.log ] && grep -q "secure execution.*ignoring log_path, json_path, suppressions" suid-err.txt && grep -q "double-free" suid-err.txt' \
            "$(ls open)" "$(head -c 400 suid-err.txt)"
    else
        skip "set-uid program (AT_SECURE not set: a nosuid mount?) $(cat suid-out.txt suid-err.txt | head -c 200)"
    fi
else
    skip "set-uid program under ld.so.preload (needs root and unshare -m)"
fi

# ---- names from the program -----------------------------------------------------------------
"${T[@]}" env LD_PRELOAD=$RT ./hostile evil-name 2> evil.txt
esc=$(printf '\033')
check "a type name with a newline cannot forge a headline" \
    'grep -q "ref-leak" evil.txt && ! grep -q "^==1==ERROR" evil.txt && ! grep -q "$esc" evil.txt && grep -qF "Evil\x0a==1==ERROR" evil.txt' \
    "$(head -5 evil.txt)"

# ---- inputs that must not hang ----------------------------------------------------------------
mkfifo sfifo
devs=(sfifo)
if [ $can_mknod = 1 ]; then mknod zerodev c 1 5 && mknod urandomdev c 1 9 && devs+=(zerodev urandomdev); fi
for s in "${devs[@]}"; do
    start=$SECONDS
    "${T[@]}" "$LG" run --lib "$RT" -o suppressions=$s -- ./hostile exit0 > /dev/null 2> err.txt
    rc=$?
    check "run: suppressions=$s is an error, no hang" \
        '[ $rc = 2 ] && grep -q "not a regular file" err.txt && [ $((SECONDS - start)) -lt 15 ]' \
        "status $rc after $((SECONDS - start)) s" "$(cat err.txt)"
    start=$SECONDS
    "${T[@]}" env LIFEGUARD_OPTIONS=suppressions=$work/$s LD_PRELOAD=$RT ./hostile double-free 2> err.txt
    rc=$?
    check "runtime: suppressions=$s warned about, the program runs" \
        '[ $rc = 1 ] && grep -q "not a regular file; none applied" err.txt && grep -q double-free err.txt' \
        "status $rc after $((SECONDS - start)) s" "$(cat err.txt | head -3)"
done
[ $can_mknod = 1 ] || skip "suppressions on /dev/zero and /dev/urandom copies (needs mknod)"
head -c 70000 /dev/zero | tr '\0' '\n' > big.supp
"${T[@]}" "$LG" run --lib "$RT" -o suppressions=big.supp -- ./hostile exit0 > /dev/null 2> err.txt
rc=$?
check "run: a suppressions file larger than the runtime reads is refused" '[ $rc = 2 ] && grep -q "larger than" err.txt' \
    "status $rc" "$(cat err.txt)"

printf '    #0 0x1 (%s/sfifo+0x10)\n' "$work" > fifo-frame.txt
"${T[@]}" "$LG" symbolize fifo-frame.txt > sym-out.txt 2>&1
rc=$?
check "symbolize: a FIFO named as a module is skipped, no hang" '[ $rc = 0 ] && cmp -s sym-out.txt fifo-frame.txt' \
    "status $rc" "$(cat sym-out.txt)"

cp hlib.so hlib-copy.so
"${T[@]}" env LD_PRELOAD=$RT ./hostile dlopen-fifo "$work/hlib-copy.so" 2> err.txt
rc=$?
check "runtime: a dlopen'ed library replaced by a FIFO does not block the report" \
    '[ $rc = 1 ] && grep -q double-free err.txt && [ "$(ftype hlib-copy.so)" = fifo ]' "status $rc" "$(head -5 err.txt)"

# ---- an address-space limit the heap cannot live in ------------------------------------
# The checked heap reserves (never commits) over a TiB of address space; under
# `ulimit -v` it cannot, and the program must run as without lifeguard and be
# told, in one line, that its heap is not checked.
( ulimit -v 4000000 && "$LG" run --json as.json -- ./target exit 7 ) > /dev/null 2> as-err.txt
rc=$?
check "runtime: under ulimit -v the program runs unchanged and one line says the heap checker is off" \
    '[ $rc = 7 ] && [ "$(grep -c "the heap checker is off" as-err.txt)" = 1 ] && grep -q "ulimit -v" as-err.txt' \
    "status $rc" "$(head -5 as-err.txt)"

# ---- guard_sites_file: a file that is not the run's table is never written -----------
# The runtime maps a table of first uses shared by a run's processes; a path
# that names anything else (text, an empty file, a FIFO, a directory) is left
# exactly as it was, one line says so, and the program runs unchanged.
printf 'precious text\n' > sites-text
: > sites-empty
mkfifo sites-fifo
mkdir sites-dir
for f in sites-text sites-empty sites-fifo sites-dir; do
    before=$(ftype $f; [ -f $f ] && sha256sum < $f)
    "${T[@]}" env LIFEGUARD_OPTIONS=guard_sites_file=$work/$f LD_PRELOAD=$RT ./target exit 7 > /dev/null 2> err.txt
    rc=$?
    after=$(ftype $f; [ -f $f ] && sha256sum < $f)
    check "runtime: guard_sites_file=$f is left as it is, one line says so, the program runs" \
        '[ $rc = 7 ] && [ "$before" = "$after" ] && [ "$(grep -c "guard_sites_file .*it is left as it is" err.txt)" = 1 ] && [ "$(wc -l < err.txt)" = 1 ]' \
        "status $rc" "$(head -3 err.txt)"
done
rm -f sites-table
for i in 1 2; do
    "${T[@]}" env LIFEGUARD_OPTIONS=guard_first=1:guard_sites_file=$work/sites-table:json_path=$work/sites-$i.json \
        LD_PRELOAD=$RT ./target exit 7 > /dev/null 2> err-$i.txt
    eval "rc$i=$?"
done
guarded() { sed -n 's/.*"guarded_allocations": *\([0-9]*\).*/\1/p' "$1"; }
g1=$(guarded sites-1.json) g2=$(guarded sites-2.json)
check "runtime: a guard_sites_file it made is private, starts with its magic, and a second run guards what the first did not" \
    '[ $rc1 = 7 ] && [ $rc2 = 7 ] && [ "$(stat -c %a sites-table)" = 600 ] && head -1 sites-table | grep -q "^lifeguard guard=sites first-use counts" && [ -n "$g1" ] && [ "$g1" -gt 0 ] && [ "$g2" = 0 ] && ! [ -s err-1.txt ] && ! [ -s err-2.txt ]' \
    "status $rc1 $rc2, guarded $g1 then $g2" "$(cat err-1.txt err-2.txt | head -3)"
rm -f sites-cut
"${T[@]}" env LIFEGUARD_OPTIONS=guard_sites_file=$work/sites-cut LD_PRELOAD=$RT ./hostile exit0 > /dev/null 2>&1
"${T[@]}" env LIFEGUARD_OPTIONS=guard_sites_file=$work/sites-cut LD_PRELOAD=$RT ./hostile truncate-then-alloc \
    "$work/sites-cut" > out.txt 2> err.txt
rc=$?
check "runtime: a guard_sites_file truncated while mapped does not crash the program" \
    '[ $rc = 0 ] && [ "$(cat out.txt)" = done ] && ! [ -s err.txt ] && ! [ -s sites-cut ]' "status $rc" "$(head -3 err.txt)"

harness_finish
