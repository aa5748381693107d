#!/usr/bin/env bash
# check_core_cross.sh OUTDIR ALLOW "CC [ARGS]" "FLAGS" SOURCE... — builds the
# core with a cross compiler (-Werror) into OUTDIR/liblg_core.a and runs
# check_freestanding.sh on it, ALLOW naming the compiler-runtime symbols
# this target is documented to need (docs/KERNEL.md; "" for none).
# Exit 77 (skipped) when the compiler is not installed.
set -eu
out=$1 allow=$2 cc=$3 flags=$4
shift 4
read -r -a cc_words <<<"$cc"
if [ -z "${cc_words[0]:-}" ] || ! command -v "${cc_words[0]}" >/dev/null; then
    echo "SKIPPED: no cross compiler '${cc_words[0]:-}' (Debian: gcc-riscv64-linux-gnu)"
    exit 77
fi
read -r -a flag_words <<<"$flags"
rm -rf "$out"
mkdir -p "$out"
objs=()
for src in "$@"; do
    obj=$out/$(basename "$src" .c).o
    "${cc_words[@]}" "${flag_words[@]}" -c "$src" -o "$obj"
    objs+=("$obj")
done
ar rcs "$out/liblg_core.a" "${objs[@]}"
exec "$(dirname "$0")/check_freestanding.sh" "$out/liblg_core.a" "$allow"
