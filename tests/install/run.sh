#!/usr/bin/env bash
# tests/install/run.sh BINARY_DIR CC — `cmake --install` into a scratch prefix
# puts the command, the runtime, the header and a relocatable pkg-config file
# there, and the installed command finds the installed runtime by itself.
set -euo pipefail
bin=$1 cc=${2:-cc}
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$bin" --prefix "$prefix" >/dev/null
fail=0
for f in bin/lifeguard lib/liblifeguard.so include/lifeguard.h; do
    [ -e "$prefix/$f" ] || { echo "FAIL not installed: $f"; fail=1; }
done
pc=$(find "$prefix" -name lifeguard.pc | head -1)
[ -n "$pc" ] || { echo "FAIL not installed: lifeguard.pc"; exit 1; }
cflags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags lifeguard | tr -d " ")
[ -e "${cflags#-I}/lifeguard.h" ] || { echo "FAIL pkg-config --cflags points to ${cflags#-I}"; fail=1; }

# A program built against the installed header, run by the installed command.
cat >"$prefix/prog.c" <<'C'
#include <lifeguard.h>
#include <stdlib.h>
int main(void) { char *p = malloc(8); lg_object_new(p, "Thing"); free(p); free(p); return 0; }
C
"$cc" -g $cflags -o "$prefix/prog" "$prefix/prog.c" -ldl
set +e
"$prefix/bin/lifeguard" run --json "$prefix/r.json" -- "$prefix/prog" 2>"$prefix/err"
status=$?
set -e
[ $status -eq 1 ] || { echo "FAIL installed run exited $status, expected 1"; cat "$prefix/err"; fail=1; }
jq -e '.findings[0].kind == "double-free" and .findings[0].stacks.access[0].function == "main"' \
    "$prefix/r.json" >/dev/null || { echo "FAIL installed run: no symbolized double-free"; fail=1; }
[ $fail -eq 0 ] && echo "ok   install: bin, lib, include, pkg-config; the installed command runs"
exit $fail
