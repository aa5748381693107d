# tests/harness.sh — the counting shell tests share, sourced by each script:
# ok / bad / skip record one check, check_eval runs a condition string,
# harness_finish prints the tally and gives the script's exit status.
# A skipped check is counted and shown, never passed silently.

passed=0 failed=0 skipped=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { # bad NAME [DETAIL...]
    failed=$((failed + 1))
    echo "FAIL $1"
    shift
    for detail in "$@"; do printf '     %s\n' "$detail" | head -40; done
}
skip() { skipped=$((skipped + 1)); echo "skip $1"; }
check_eval() { # check_eval NAME CONDITION [DETAIL...]: the condition is eval'ed
    local name=$1 cond=$2
    shift 2
    if eval "$cond"; then ok "$name"; else bad "$name" "$@"; fi
}
harness_finish() {
    echo
    if [ "$skipped" -gt 0 ]; then echo "$passed passed, $failed failed, $skipped skipped"
    else echo "$passed passed, $failed failed"; fi
    [ "$failed" = 0 ]
}
