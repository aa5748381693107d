#!/usr/bin/env bash
# The tracking core (liblg_core.a) may call only the platform layer
# (lg_pal_*, lg_lock/lg_unlock/lg_trylock) and the four functions every
# freestanding C compiler may emit calls to (memcpy, memmove, memset, memcmp).
set -eu
archive=$1
bad=$(nm -u "$archive" 2>/dev/null | awk 'NF==2 {print $2}' | sort -u |
      grep -vE '^(lg_pal_[a-z_]+|lg_lock|lg_unlock|lg_trylock|memcpy|memmove|memset|memcmp|_GLOBAL_OFFSET_TABLE_)$' |
      while read -r sym; do
          # symbols defined by another member of the archive are internal
          nm --defined-only "$archive" 2>/dev/null | awk '{print $3}' | grep -qx "$sym" || echo "$sym"
      done)
if [ -n "$bad" ]; then
    echo "the core calls outside the platform layer:"; echo "$bad"; exit 1
fi
echo "core is freestanding"
