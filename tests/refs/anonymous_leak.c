// Anonymous references (holder NULL) are told apart by where they were
// taken: one holder entry per acquisition stack still outstanding.  The
// object was never passed to lg_object_new: it is tracked from its first
// get, as "object#1".
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: cache_lookup
// EXPECT-LINE: 21
// EXPECT-OBJECT: object#1
// EXPECT-JQ: .object.refcount == 3 and ([.holders[] | select(.holder == "0x0")] | length == 2)
// EXPECT-TEXT: never passed to lg_object_new
// EXPECT-TEXT: 2 anonymous references acquired in cache_lookup
// EXPECT-TEXT: which gets of the anonymous references the puts returned is ambiguous; all their sites: acquired 3× in cache_lookup, acquired 1× in prefetch, released 1× in cache_release
#include <stdlib.h>

#include "lifeguard.h"

static struct { int refs; } entry;

__attribute__((noinline)) static void cache_lookup(void)
{
    lg_ref_get(&entry, NULL);
}

__attribute__((noinline)) static void prefetch(void)
{
    lg_ref_get(&entry, NULL);
}

__attribute__((noinline)) static void cache_release(void)
{
    lg_ref_put(&entry, NULL);
}

int main(void)
{
    prefetch();
    for (volatile int i = 0; i < 3; i++) cache_lookup(); /* one call site */
    cache_release();
    return 0;
}
