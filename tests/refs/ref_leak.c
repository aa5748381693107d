// A task parked on a run queue takes a reference for whoever unparks it,
// and nobody ever drops it (the Asterinas bug): at exit the task is still
// counted.  The references are grouped by holder with per-site counts.
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: park_current
// EXPECT-LINE: 25
// EXPECT-OBJECT: Task#1
// EXPECT-MESSAGE: Task#1 leaked
// EXPECT-JQ: .object.refcount == 10 and (.holders | any(.holder_type == "RunQueue" and .count == 10))
// EXPECT-TEXT: acquired 10× in park_current
// EXPECT-COUNT: 1
// EXPECT-NO-KIND: ref-cycle
#include <stdlib.h>

#include "lifeguard.h"

struct task { int refs; };
struct run_queue { struct task *current; };

static struct run_queue rq;

__attribute__((noinline)) static void park_current(struct run_queue *q)
{
    q->current->refs++;
    lg_ref_get(q->current, q); /* for the unparker, who never comes */
}

__attribute__((noinline)) static void unpark(struct run_queue *q)
{
    (void)q; /* forgets to drop the parked reference */
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
    lg_ref_put(t, NULL); /* the creator's reference */
    lg_ref_put(&rq, NULL);
    return 0;
}
