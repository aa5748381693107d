#!/usr/bin/env bash
# tests/dlclose/run.sh BINARY_DIR CC — blocks allocated by a library the
# program dlclose'd before exit: each allocation stack is its own finding,
# and its frames still name the library (module and offset, so the CLI
# symbolizes them: function, file, line) — the runtime remembers a module's
# path and load address when dlclose unloads it.  The library and the
# program live in a directory whose name holds " (" and a space, which the
# text report's frame lines must still parse.  The twin: the same library
# freeing its blocks is clean.  gcc or clang (CC), -O0 and -O2.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$1 cc=${2:-gcc}
lifeguard=$bin/bin/lifeguard
work=$(mktemp -d "${TMPDIR:-/tmp}/lg-dlclose.XXXXXX")
trap 'rm -rf "$work"' EXIT
dir="$work/a dir (x)"
mkdir -p "$dir"
fail() { echo "FAIL $*"; [ -f "$dir/report.txt" ] && sed 's/^/  | /' "$dir/report.txt" | head -40; exit 1; }

for opt in -O0 -O2; do
    lib="$dir/lib gone (1).so"
    "$cc" $opt -g -fno-builtin -shared -fPIC -o "$lib" "$here/lib.c"
    "$cc" $opt -g -o "$dir/main" "$here/main.c" -ldl

    # the leaks: two findings, one per allocating function, each frame in the library named
    set +e
    "$lifeguard" run --json "$dir/report.json" -- "$dir/main" "$lib" leak >"$dir/out.txt" 2>"$dir/report.txt"
    status=$?
    set -e
    [ "$status" = 1 ] || fail "$opt: exit status $status, expected 1"
    grep -q closed "$dir/out.txt" || fail "$opt: the program did not dlclose"
    n=$(jq '[.findings[] | select(.kind == "leak")] | length' "$dir/report.json")
    [ "$n" = 2 ] || fail "$opt: $n leak findings, expected 2 (one per allocation stack)"
    for fn in lib_make_small:6 lib_make_large:13; do
        name=${fn%:*} line=${fn#*:}
        jq -e --arg fn "$name" --arg lib "$lib" --argjson line "$line" '
            [.findings[] | select(.kind == "leak") | .stacks.alloc[0]
             | select(.function == $fn and .module == $lib and (.offset | length) > 2
                      and (.file | endswith("lib.c")) and .line == $line)] | length == 1' \
            "$dir/report.json" >/dev/null || fail "$opt: no leak allocated in $name at lib.c:$line named in the JSON"
        grep -qF "in $name $here/lib.c:$line ($lib+0x" "$dir/report.txt" ||
            fail "$opt: the text report does not symbolize $name in '$lib'"
    done
    grep -q "unknown module" "$dir/report.txt" && fail "$opt: a frame is <unknown module>"
    echo "ok   $cc $opt: leaks of a dlclose'd library, each named"

    # the twin: freed before dlclose, clean
    "$lifeguard" run --json "$dir/clean.json" -- "$dir/main" "$lib" >"$dir/out.txt" 2>"$dir/report.txt" ||
        fail "$opt: the clean twin exits $?"
    n=$(jq '.summary.errors' "$dir/clean.json")
    [ "$n" = 0 ] || fail "$opt: the clean twin has $n errors"
    echo "ok   $cc $opt: the clean twin"
done
