#!/usr/bin/env bash
# report_snapshot.sh — the text and JSON reports of every end-to-end case, normalized, for
# checking that a change of the report code leaves what a person and a program read unchanged.
#
#   report_snapshot.sh capture BUILD_DIR CC OUT_DIR [CASE...]
#       compiles each case (default: every tests/{heap,guard,leaks,refs,seeds,cxx} case) as
#       run_case.sh does, runs it once under `lifeguard run --json`, and writes
#       OUT_DIR/DIR/NAME.txt (the text report) and OUT_DIR/DIR/NAME.json (the JSON report),
#       with what differs from run to run replaced: pids, thread ids, addresses, times,
#       the work directory, the runtime's own source lines.
#   report_snapshot.sh compare OLD_OUT NEW_OUT
#       diffs two captures; exit 1 when they differ.
#
# Typical use, before and after a change:
#   git worktree add /tmp/base HEAD && (build /tmp/base/build)      # or any build of the old tree
#   tests/report_snapshot.sh capture /tmp/base/build gcc /tmp/snap-old
#   tests/report_snapshot.sh capture build-gcc gcc /tmp/snap-new
#   tests/report_snapshot.sh compare /tmp/snap-old /tmp/snap-new
# A case whose output depends on timing (threads racing) may differ between two captures of
# the same build: capture the old build twice to see which.
set -u
here=${LG_SNAPSHOT_TESTS:-$(cd "$(dirname "$0")" && pwd)} # the tests directory

normalize() { # FILE WORK
    sed -E \
        -e "s|$2|WORK|g" \
        -e 's/==[0-9]+==/==PID==/g' \
        -e 's/thread [0-9]+/thread T/g' \
        -e 's/0x[0-9a-f]+/0xH/g' \
        -e 's/"(pid|process_start|access|alloc|free|leak_scan_us|leak_scan_bytes)": [0-9]+/"\1": N/g' \
        -e 's/\b((rt|lg)_[a-z_]+\.[ch]):[0-9]+/\1:N/g' \
        -e 's/"line": [0-9]+(, "file": "[^"]*\/src\/(runtime|core|platform)\/)/"line": N\1/g' \
        -e 's|/tmp/[^ "]*lifeguard[^ "/]*|RUNDIR|g' \
        "$1"
}

capture_one() { # CASE BUILD CC OUT
    local case_file=$1 build=$2 cc=$3 out=$4
    local dir name lang_flags="" cflags args options work
    dir=$(basename "$(dirname "$case_file")")
    name=$(basename "$case_file")
    name=${name%.*}
    if [ "${case_file##*.}" = cpp ]; then
        case "$cc" in
        *gcc*) cc=${cc%gcc*}g++${cc##*gcc} ;;
        *clang*) cc=${cc%clang*}clang++${cc##*clang} ;;
        esac
        lang_flags="-std=gnu++17 -fsized-deallocation -Wno-mismatched-new-delete -Wno-unknown-warning-option"
    fi
    directive() { sed -n "s|^// $1: *||p" "$case_file"; }
    args=$(directive RUN | head -1)
    options=$(directive OPTIONS | head -1)
    cflags=$(directive CFLAGS | head -1)
    [ -n "$cflags" ] || cflags="-O1 -g -fno-builtin"
    work=$out/work/$dir/$name
    rm -rf "$work" && mkdir -p "$work" "$out/$dir"
    # shellcheck disable=SC2086
    "$cc" $cflags $lang_flags -Wno-unused-result -Wno-free-nonheap-object -Wno-use-after-free \
        -I"$here/../include" -o "$work/$name" "$case_file" -lpthread 2>"$work/cc.txt" ||
        { echo "$dir/$name: does not compile"; return; }
    if grep -q '^// SUPPRESSIONS: ' "$case_file"; then
        directive SUPPRESSIONS >"$work/suppressions.txt"
        options="${options:+$options:}suppressions=suppressions.txt"
    fi
    local cmd=("$(cd "$build" && pwd)/bin/lifeguard" run --json report.json)
    [ -n "$options" ] && cmd+=(--options "$options")
    local argv
    read -ra argv <<<"$args"
    cmd+=(-- "./$name" "${argv[@]}")
    (cd "$work" && timeout 300 "${cmd[@]}") >"$work/stdout.txt" 2>"$work/report.txt"
    echo "exit $?" >>"$work/report.txt"
    normalize "$work/report.txt" "$work" >"$out/$dir/$name.txt"
    if [ -f "$work/report.json" ]; then
        normalize "$work/report.json" "$work" >"$out/$dir/$name.json"
    else
        echo "no JSON report" >"$out/$dir/$name.json"
    fi
}

case "${1:-}" in
capture)
    [ $# -ge 4 ] || { echo "usage: $0 capture BUILD_DIR CC OUT_DIR [CASE...]" >&2; exit 2; }
    build=$2 cc=$3 out=$4
    shift 4
    [ -x "$build/bin/lifeguard" ] || { echo "$0: no $build/bin/lifeguard" >&2; exit 2; }
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
    if [ $# = 0 ]; then
        shopt -s nullglob
        set -- "$here"/{heap,guard,leaks,refs,seeds,cxx}/*.{c,cpp}
    fi
    for c in "$@"; do # absolute, as the file names the frames show
        capture_one "$(cd "$(dirname "$c")" && pwd)/$(basename "$c")" "$build" "$cc" "$out"
    done
    rm -rf "$out/work"
    ;;
compare)
    [ $# = 3 ] || { echo "usage: $0 compare OLD_OUT NEW_OUT" >&2; exit 2; }
    diff -r -u "$2" "$3" && echo "same: $(find "$2" -type f | wc -l) files"
    ;;
*)
    echo "usage: $0 capture BUILD_DIR CC OUT_DIR [CASE...] | compare OLD_OUT NEW_OUT" >&2
    exit 2
    ;;
esac
