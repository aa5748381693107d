#!/usr/bin/env bash
# The tracking core (liblg_core.a) may call only the platform layer
# (lg_pal_*, lg_lock/lg_unlock/lg_trylock) and the four functions every
# freestanding C compiler may emit calls to (memcpy, memmove, memset, memcmp).
# A second argument, a regex alternation, names compiler-runtime symbols a
# target is documented to need (docs/KERNEL.md).
set -eu
archive=$1
extra=${2:-}
[ -n "$extra" ] && extra="|$extra"
[ -r "$archive" ] || { echo "check_freestanding.sh: cannot read '$archive'"; exit 2; }
# symbols defined by another member of the archive are internal
defined=$(nm --defined-only "$archive" 2>/dev/null | awk 'NF==3 {print $3}' | sort -u)
bad=$(nm -u "$archive" 2>/dev/null | awk 'NF==2 {print $2}' | sort -u |
      grep -vE "^(lg_pal_[a-z_]+|lg_lock|lg_unlock|lg_trylock|memcpy|memmove|memset|memcmp|_GLOBAL_OFFSET_TABLE_$extra)\$" |
      comm -23 - <(echo "$defined") || true)
if [ -n "$bad" ]; then
    echo "the core calls outside the platform layer:"; echo "$bad"; exit 1
fi
echo "core is freestanding"
