#!/usr/bin/env bash
# tests/unwind/run.sh BINARY_DIR CC — the unwinder's suite under ctest:
# the fast unwinder must return the same stacks as the slow DWARF walk and as
# libunwind (tests/unwind/unwind_test.c), and the runtime must not export any
# unwinder symbol that would take over the program's C++ exceptions.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$1 cc=$(basename "${2:-gcc}")
case $cc in clang*) cc=clang ;; *) cc=gcc ;; esac

make -s -C "$here" "check-$cc" B="$bin/unwind"

lib=$bin/lib/liblifeguard.so
leaked=$(nm -D --defined-only "$lib" | awk '{print $3}' | grep -E '^(_Unwind_|unw_|_U_|backtrace)' || true)
if [ -n "$leaked" ]; then
    echo "FAIL $lib exports unwinder symbols: $leaked"
    exit 1
fi
echo "ok   $lib exports no unwinder symbol"
