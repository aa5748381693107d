#!/usr/bin/env bash
# dev.sh — the project's two everyday commands, runnable on a fresh machine.
#   ./dev.sh demo    build, then run the five seed-bug models under lifeguard
#   ./dev.sh test    build with gcc and with clang (-Wall -Wextra -Werror), run every test
#   ./dev.sh deps    only install the Debian packages the build and tests need
#   ./dev.sh bench   build, then run bench/run.sh (docs/PERFORMANCE.md)
#   ./dev.sh kernel  build examples/kernel, boot it in QEMU, print its serial log (docs/KERNEL.md)
set -euo pipefail
cd "$(dirname "$0")"

# One line per purpose, so that additions do not touch each other's lines.
PACKAGES=(
    build-essential cmake clang pkg-config                # the toolchain
    libdw-dev libelf-dev libjansson-dev                   # the CLI: symbolization, JSON
    libcmocka-dev libunwind-dev jq python3                # the tests
    sqlite3 lua5.4 git make                               # tests/real: programs we did not write
    perl openjdk-17-jdk-headless gfortran                 # tests/real: perl, javac and java (a JIT, its own SIGSEGV handler), gfortran
    valgrind time libasan8                                # bench/: the peers
    electric-fence duma                                   # bench/: guard=all's peers
    qemu-system-x86 gcc-multilib                          # examples/kernel: the core built -m32, booted in QEMU
    util-linux coreutils                                  # tests/cli/safety: unshare -m, mknod
    python3-jsonschema graphviz chromium                  # tests of the reports: SARIF schema, holder graphs, HTML in a browser
)

deps() {
    local missing=()
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "dev.sh: installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

build() { # build DIR CC [cmake args...]
    local dir=$1 cc=$2
    shift 2
    cmake -S . -B "$dir" -DCMAKE_C_COMPILER="$cc" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    cmake --build "$dir" -j"$(nproc)"
}

case "${1:-}" in
deps) deps ;;
demo)
    deps
    build build gcc
    examples/seeds/demo.sh build
    ;;
test)
    deps
    passed=0 failed=0
    for cc in gcc clang; do
        dir=build-$cc
        build "$dir" "$cc" -DLIFEGUARD_WERROR=ON -DLIFEGUARD_TESTS=ON
        echo "== tests, built with $cc"
        set +e
        (cd "$dir" && ctest -j"$(nproc)" --output-on-failure 2>&1) | tee "$dir/ctest.log"
        set -e
        summary=$(grep -E '^[0-9]+% tests passed' "$dir/ctest.log" | tail -1)
        total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
        bad=$(sed -E 's/.*, ([0-9]+) tests failed.*/\1/' <<<"$summary")
        [ -n "$total" ] || { total=0; bad=1; }
        passed=$((passed + total - bad))
        failed=$((failed + bad))
    done
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    ;;
bench)
    deps
    build build gcc
    bench/run.sh --lib build/lib/liblifeguard.so "${@:2}"
    ;;
kernel)
    deps
    build build gcc
    set +e
    examples/kernel/run.sh build/kernel/lifeguard-kernel-i386.elf "${@:2}"
    status=$?
    set -e
    echo "dev.sh: the kernel ended with lifeguard's exit status $status (0: nothing found, 1: findings above)"
    [ "$status" -le 1 ]
    ;;
*)
    sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
