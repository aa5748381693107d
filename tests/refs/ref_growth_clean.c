// The twin of ref_growth.c: the count stays under the limit.
// OPTIONS: ref_growth_limit=1000
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-growth
// NO-RUNTIME-RUN
#include <stdlib.h>

#include "lifeguard.h"

__attribute__((noinline)) static void schedule_idle(void *idle, void *rq)
{
    lg_ref_get(idle, rq);
}

int main(void)
{
    static char rq;
    void *idle = malloc(64);
    lg_object_new(idle, "Task");
    for (int round = 0; round < 10; round++) {
        for (int i = 0; i < 900; i++) schedule_idle(idle, &rq);
        for (int i = 0; i < 900; i++) lg_ref_put(idle, &rq);
    }
    lg_ref_put(idle, NULL);
    free(idle);
    return 0;
}
