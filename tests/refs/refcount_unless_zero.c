// lg_refcount_get_unless_zero, the lookup of a cache that races with the
// final put: a lookup that succeeds takes a reference the caller must
// drop.  The bug: the stats path looks an entry up and never drops it:
// ref-leak at the lookup.  A lookup after the final put fails and is no
// finding.  The clean twin is refcount_unless_zero_clean.c.
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: stats_lookup
// EXPECT-LINE: 28
// EXPECT-OBJECT: Entry#1
// EXPECT-NO-KIND: ref-get-after-free
// EXPECT-STDOUT: dead lookup 0
// VARIANT: -O2 -g -fno-builtin
#include <stdio.h>

#include "lifeguard.h"

struct entry { lg_refcount_t ref; };
static char stats;
static volatile int looked;

__attribute__((noinline)) static int lookup(struct entry *e, const void *who)
{
    return lg_refcount_get_unless_zero(&e->ref, e, who);
}

__attribute__((noinline)) static void stats_lookup(struct entry *e)
{
    if (lookup(e, &stats)) looked++; /* bug: no lg_refcount_put */
}

int main(void)
{
    static struct entry a, b;
    lg_refcount_init(&a.ref, &a, "Entry");
    lg_refcount_init(&b.ref, &b, "Entry");
    stats_lookup(&a);
    lg_refcount_put(&a.ref, &a, NULL);
    lg_refcount_put(&b.ref, &b, NULL); /* b's count reaches zero */
    printf("dead lookup %d\n", lookup(&b, &stats));
    return 0;
}
