// -DLIFEGUARD_DISABLE removes the calls entirely: the program does not even
// look the runtime up, so under the runtime nothing is tracked, and
// lg_refcount_t still counts.
// CFLAGS: -O1 -g -DLIFEGUARD_DISABLE
// VARIANT: -O0 -g -DLIFEGUARD_DISABLE -fno-pie -no-pie
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-leak
// EXPECT-BINARY-LACKS: lifeguard_api_v1
// EXPECT-STDOUT: count 2 checked 0
// NO-RUNTIME-RUN
#include <stdio.h>
#include <stdlib.h>

#include "lifeguard.h"

int main(void)
{
    static char owner;
    lg_checkpoint_t since = lg_checkpoint();
    struct { lg_refcount_t ref; } *s = malloc(sizeof *s);
    lg_refcount_init(&s->ref, s, "Session");
    lg_refcount_get(&s->ref, s, &owner);
    lg_ref_get(s, &owner); /* would leak if tracked */
    lg_expect_freed(s, "never");
    printf("count %d checked %zu\n", (int)lg_refcount_read(&s->ref), lg_check_since(since, "all"));
    free(s);
    return 0;
}
