#!/usr/bin/env bash
# header_warnings.sh — lifeguard.h compiles without a warning under -Wall
# -Wextra -Werror at -O0..-O3, hosted, freestanding (-DLIFEGUARD_FREESTANDING
# -ffreestanding, the embedder's table) and disabled (-DLIFEGUARD_DISABLE),
# including lg_object_new right after malloc (gcc's -Wmaybe-uninitialized).
# usage: header_warnings.sh CC
set -u
cc=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/lg-hdr.XXXXXX")
trap 'rm -rf "$work"' EXIT
cat >"$work/use.c" <<'C'
#ifndef LIFEGUARD_FREESTANDING
#include <stdlib.h>
#else
extern void *malloc(__SIZE_TYPE__ n);
extern void free(void *p);
const struct lg_api *lifeguard_api;
#endif
#include "lifeguard.h"
struct task { lg_refcount_t ref; int x; };
static char queue;
struct task *cur; /* weak; not static: with -DLIFEGUARD_DISABLE it is only named in sizeof */
int use(void);
int use(void)
{
    struct task *t = malloc(sizeof *t);
    if (!t) return 1;
    lg_object_new(t, "Task");
    lg_object_name(t, "task %d", 1);
    lg_ref_get(t, &queue);
    lg_ref_move(t, &queue, NULL);
    lg_ref_token_t tok = lg_ref_get_token(t, NULL);
    lg_ref_put_token(t, NULL, tok);
    lg_weak_set(&cur, t);
    lg_weak_use(&cur, t);
    lg_weak_clear(&cur);
    lg_ref_put(t, NULL);
    lg_expect_freed(t, "done");
    lg_object_free(t);
    free(t);
    struct task *u = malloc(sizeof *u);
    if (!u) return 1;
    lg_refcount_init(&u->ref, u, "Task");
    if (lg_refcount_get_unless_zero(&u->ref, u, NULL)) lg_refcount_put(&u->ref, u, NULL);
    lg_refcount_get(&u->ref, u, &queue);
    lg_refcount_put(&u->ref, u, &queue);
    int n = lg_refcount_read(&u->ref);
    if (lg_refcount_put(&u->ref, u, NULL)) free(u);
    lg_checkpoint_t c = lg_checkpoint();
    return n + (int)lg_check_since(c, "x") + (int)lg_leak_check();
}
LG_REFCOUNT_HELPER(use);
C
fails=0
for mode in "" "-DLIFEGUARD_FREESTANDING -ffreestanding" "-DLIFEGUARD_DISABLE"; do
    for opt in -O0 -O1 -O2 -O3; do
        # shellcheck disable=SC2086
        if ! "$cc" $opt $mode -std=c99 -Wall -Wextra -Werror -I"$here/../../include" -c "$work/use.c" \
            -o "$work/use.o" 2>"$work/err.txt"; then
            echo "FAIL $cc $opt ${mode:-hosted}:"; sed 's/^/  | /' "$work/err.txt" | head -20
            fails=$((fails + 1))
        fi
    done
done
[ "$fails" = 0 ] && echo "PASS lifeguard.h: no warning under $cc, -O0..-O3, hosted, freestanding, disabled"
exit $((fails > 0))
