#!/usr/bin/env bash
# tests/install/run.sh BINARY_DIR CC — `cmake --install` into a scratch prefix
# puts the command, the runtime, the header and a relocatable pkg-config file
# there, and the installed command finds the installed runtime by itself;
# a CMake project finds the package; a multiarch LIBDIR still works.
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

# find_package(lifeguard): a CMake project builds against the installed
# package's imported target and runs under the command it names.
mkdir "$prefix/consumer"
cp "$prefix/prog.c" "$prefix/consumer/"
cat >"$prefix/consumer/CMakeLists.txt" <<'CM'
cmake_minimum_required(VERSION 3.18)
project(consumer C)
find_package(lifeguard 0.1 REQUIRED)
add_executable(prog prog.c)
target_link_libraries(prog PRIVATE lifeguard::lifeguard)
file(WRITE ${CMAKE_BINARY_DIR}/found.txt "${lifeguard_COMMAND}\n${lifeguard_RUNTIME}\n")
CM
if cmake -S "$prefix/consumer" -B "$prefix/consumer/build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_PREFIX_PATH="$prefix" \
    >"$prefix/consumer.log" 2>&1 && cmake --build "$prefix/consumer/build" >>"$prefix/consumer.log" 2>&1; then
    command=$(sed -n 1p "$prefix/consumer/build/found.txt")
    set +e
    "$command" run -- "$prefix/consumer/build/prog" 2>"$prefix/err2"
    status=$?
    set -e
    if [ "$command" = "$prefix/bin/lifeguard" ] && [ $status -eq 1 ] && grep -q double-free "$prefix/err2" &&
        [ -f "$(sed -n 2p "$prefix/consumer/build/found.txt")" ]; then
        echo "ok   find_package(lifeguard): lifeguard::lifeguard, lifeguard_COMMAND, lifeguard_RUNTIME"
    else
        echo "FAIL find_package(lifeguard): command '$command', exit $status"; cat "$prefix/err2"; fail=1
    fi
else
    echo "FAIL find_package(lifeguard) in a consumer project"; tail -20 "$prefix/consumer.log"; fail=1
fi

# A distribution's layout: LIBDIR lib/x86_64-linux-gnu (what a /usr prefix
# gets on Debian); the installed command still finds its runtime.  Only the
# command and the runtime are built, without the tests (no cmocka needed).
src=$(cd "$(dirname "$0")/../.." && pwd)
multi=$prefix/multiarch
if cmake -S "$src" -B "$multi/build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_INSTALL_LIBDIR=lib/x86_64-linux-gnu \
    -DLIFEGUARD_TESTS=OFF >"$multi.log" 2>&1 && cmake --build "$multi/build" -j2 --target lifeguard lifeguard_runtime >>"$multi.log" 2>&1 &&
    cmake --install "$multi/build" --prefix "$multi/usr" >>"$multi.log" 2>&1; then
    set +e
    "$multi/usr/bin/lifeguard" run -- "$prefix/prog" 2>"$prefix/err3"
    status=$?
    set -e
    if [ -f "$multi/usr/lib/x86_64-linux-gnu/liblifeguard.so" ] && [ $status -eq 1 ] && grep -q double-free "$prefix/err3"; then
        echo "ok   CMAKE_INSTALL_LIBDIR=lib/x86_64-linux-gnu: the installed command finds its runtime there"
    else
        echo "FAIL CMAKE_INSTALL_LIBDIR=lib/x86_64-linux-gnu: exit $status"; cat "$prefix/err3"; fail=1
    fi
else
    echo "FAIL a build with CMAKE_INSTALL_LIBDIR=lib/x86_64-linux-gnu"; tail -20 "$multi.log"; fail=1
fi
exit $fail
