// Each schedule takes a reference to the idle task and only some are given
// back: the count grows without bound.  Reported once, as a warning, with
// the top acquisition sites; the program goes on.
// OPTIONS: ref_growth_limit=1000
// EXPECT-KIND: ref-growth
// EXPECT-FUNCTION: schedule_idle
// EXPECT-LINE: 19
// EXPECT-OBJECT: Task#1
// EXPECT-COUNT: 1
// EXPECT-JQ: [.notes[] | select(contains("in schedule_idle"))] | length > 0
// EXPECT-EXIT: 0
#include <stdlib.h>

#include "lifeguard.h"

__attribute__((noinline)) static void schedule_idle(void *idle, void *rq, int i)
{
    (void)i;
    lg_ref_get(idle, rq);
}

int main(void)
{
    static char rq;
    void *idle = malloc(64);
    lg_object_new(idle, "Task");
    for (int i = 0; i < 3000; i++) schedule_idle(idle, &rq, i);
    for (int i = 0; i < 3000; i++) lg_ref_put(idle, &rq); /* repaid at last: no leak */
    lg_ref_put(idle, NULL);
    free(idle);
    return 0;
}
