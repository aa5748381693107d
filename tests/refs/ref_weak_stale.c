// Weak references: a cache keeps a weak pointer to the current session
// (lg_weak_set).  The session's destructor forgets to clear it; a later
// lookup reaches the dead session through the slot: ref-weak-stale, with
// the registration and the destruction (where the slot should have been
// cleared).  The clean twin is ref_weak_clean.c.
// EXPECT-KIND: ref-weak-stale
// EXPECT-FUNCTION: cache_lookup
// EXPECT-LINE: 38
// EXPECT-MESSAGE: Session#1 used through the weak slot
// EXPECT-JQ: (.stacks.weak_set | map(.function) | index("cache_remember") != null) and (.stacks.free | map(.function) | index("session_destroy") != null)
// VARIANT: -O2 -g -fno-builtin
#include <stdlib.h>

#include "lifeguard.h"

struct session { int id; };
static struct session *current; /* weak: the cache holds no reference */

__attribute__((noinline)) static void cache_remember(struct session *s)
{
    current = s;
    lg_weak_set(&current, s);
}

__attribute__((noinline)) static void session_destroy(struct session *s)
{
    /* bug: `current` still points here; missing: current = NULL, lg_weak_clear(&current) */
    lg_object_free(s);
    free(s);
}

static volatile int looked;

__attribute__((noinline)) static struct session *cache_lookup(void)
{
    struct session *s = current;
    looked++;
    if (s) lg_weak_use(&current, s);
    return s;
}

int main(void)
{
    struct session *s = malloc(sizeof(*s));
    lg_object_new(s, "Session");
    cache_remember(s);
    session_destroy(s);
    return cache_lookup() ? 0 : 3;
}
