// The twin of ref_leak.c: every parked reference is dropped by unpark.
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-leak
// NO-RUNTIME-RUN
#include <stdlib.h>

#include "lifeguard.h"

struct task { int refs; };
struct run_queue { struct task *current; };

static struct run_queue rq;

__attribute__((noinline)) static void park_current(struct run_queue *q)
{
    q->current->refs++;
    lg_ref_get(q->current, q);
}

__attribute__((noinline)) static void unpark(struct run_queue *q)
{
    q->current->refs--;
    lg_ref_put(q->current, q);
}

int main(void)
{
    lg_object_new(&rq, "RunQueue");
    struct task *t = calloc(1, sizeof *t);
    t->refs = 1;
    lg_object_new(t, "Task");
    rq.current = t;
    for (int i = 0; i < 10; i++) {
        park_current(&rq);
        unpark(&rq);
    }
    lg_ref_put(t, NULL);
    free(t);
    lg_ref_put(&rq, NULL);
    return 0;
}
