// lg_refcount_t saturation is a finding of its own (ref-saturated): a
// request count about to overflow (a reference leaked per request, the
// count started near the limit to keep the test short) is pinned instead
// of wrapping to a negative count that a later put would take for zero.
// The clean twin is refcount_clean.c.
// OPTIONS: ref_growth_limit=0
// EXPECT-KIND: ref-saturated
// EXPECT-FUNCTION: handle_request
// EXPECT-LINE: 26
// EXPECT-OBJECT: Conn#1
// EXPECT-MESSAGE: a get past INT32_MAX
// EXPECT-COUNT: 1
// EXPECT-STDOUT: saturated 1
// VARIANT: -O2 -g -fno-builtin
#include <stdint.h>
#include <stdio.h>

#include "lifeguard.h"

struct conn { lg_refcount_t ref; };
static char server;
static volatile int handled;

__attribute__((noinline)) static void handle_request(struct conn *c)
{
    lg_refcount_get(&c->ref, c, &server); /* bug: never put */
    handled++;
}

int main(void)
{
    static struct conn c;
    lg_refcount_init(&c.ref, &c, "Conn");
    __atomic_store_n(&c.ref.refs, INT32_MAX - 2, __ATOMIC_RELAXED); /* as if 2^31 - 3 requests had leaked */
    for (int i = 0; i < 5; i++) handle_request(&c);
    printf("saturated %d\n", lg_refcount_read(&c.ref) == LG_REFCOUNT_SATURATED);
    lg_refcount_put(&c.ref, &c, NULL);
    return 0;
}
