#!/usr/bin/env bash
# check.sh KERNEL — the kernel ctest: boots the example kernel with the
# buggy models and checks every finding (kind, the culprit function in the
# first stack of the report, a piece of its headline) in the serial log;
# boots the fixed models and wants no finding and status 0; checks that an
# option reaches the core (exitcode) and that a bad one ends the boot with
# status 2.  Exit 77 (skipped) when qemu-system-i386 is not installed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
kernel=$1
if ! command -v qemu-system-i386 >/dev/null; then
    echo "SKIPPED: qemu-system-i386 is not installed (Debian: qemu-system-x86); the kernel was built, not booted"
    exit 77
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# kind|culprit (in the report's first stack)|text of the headline
expected=(
    "stale-pointer|free_process_int|kfree() of 0x"
    "stale-pointer|arch_specific_free_proc|a write at 0x"
    "ref-put-unheld|zfs_uio_free_dio_pages|drops a reference to page#"
    "ref-underflow|unmap_vma|lg_ref_put on page#"
    "ref-freed-while-held|md_destroy|fsfile_md#"
    "stale-pointer|p9_fsf_free|kfree() of 0x"
    "ref-put-after-free|p9_fsf_free|lg_ref_put on fsfile_md#"
    "write-after-free|md_destroy|was written after the block was freed"
    "use-after-free|dma_ring_drain|inside the freed 196608-byte block"
    "heap-overflow|dma_ring_fill|past the end of the 196608-byte"
    "segv|driver_unreachable|CPU exception 6 (error code 0x0) at 0x"
)

# Prints "kind|first-stack functions|headline" for each report of a log.
findings() {
    awk '
        /==ERROR: lifeguard: / {
            if (kind != "") print kind "|" fns "|" head
            line = $0; sub(/.*==ERROR: lifeguard: /, "", line)
            kind = line; sub(/:.*/, "", kind)
            head = line; fns = " "; instack = 0; done = 0; next
        }
        kind != "" && !done && /^ *#[0-9]+ / { instack = 1; for (i = 1; i <= NF; i++) if ($i == "in") fns = fns $(i + 1) " "; next }
        kind != "" && instack { done = 1 }
        END { if (kind != "") print kind "|" fns "|" head }
    ' "$1"
}

"$here/run.sh" "$kernel" >"$log" 2>&1
status=$?
cat "$log"
echo "---- check.sh: buggy models: status $status"
[ "$status" -eq 1 ] || bad "the buggy models should end with lifeguard's exitcode 1, not $status"
got=$(findings "$log")
for e in "${expected[@]}"; do
    IFS='|' read -r kind fn text <<<"$e"
    if grep -F -- "$kind| " <<<"$got" | grep -F -- " $fn " | grep -qF -- "$text"; then
        echo "ok: $kind in $fn"
    else
        bad "no $kind finding with $fn in its first stack and '$text' in its headline"
    fi
done
# Nothing else: every finding is one of those (a compiler that unrolls a
# loop of puts makes one finding per call site: the same kind and culprit).
while IFS='|' read -r kind fns _; do
    known=0
    for e in "${expected[@]}"; do
        IFS='|' read -r ekind efn _ <<<"$e"
        [ "$kind" = "$ekind" ] && [[ "$fns" == *" $efn "* ]] && known=1
    done
    [ "$known" -eq 1 ] || bad "an unexpected $kind finding (first stack:$fns)"
done <<<"$got"
n=$(grep -c '==ERROR: lifeguard: ' "$log")
grep -q "lifeguard: $n error(s) in this kernel's run" "$log" || bad "the summary line is missing or does not count $n errors"

"$here/run.sh" "$kernel" fixed >"$log" 2>&1
status=$?
echo "---- check.sh: fixed models: status $status"
[ "$status" -eq 0 ] || { cat "$log"; bad "the fixed models should end with status 0, not $status"; }
grep -q '==ERROR: lifeguard' "$log" && { cat "$log"; bad "the fixed models were reported"; }
grep -q "lifeguard: 0 error(s)" "$log" || bad "the fixed run did not reach its end"

"$here/run.sh" "$kernel" "lifeguard=exitcode=7" >"$log" 2>&1
status=$?
echo "---- check.sh: lifeguard=exitcode=7: status $status"
[ "$status" -eq 7 ] || bad "the exitcode option did not reach the core (status $status)"

"$here/run.sh" "$kernel" "lifeguard=no_such_option=1" >"$log" 2>&1
status=$?
echo "---- check.sh: a bad option: status $status"
[ "$status" -eq 2 ] || bad "a bad option should end the boot with status 2, not $status"
grep -q "bad lifeguard= option string: unknown option 'no_such_option'" "$log" || { cat "$log"; bad "no one-line error naming the bad option"; }

[ "$fail" -eq 0 ] && echo "kernel: all findings as expected"
exit "$fail"
