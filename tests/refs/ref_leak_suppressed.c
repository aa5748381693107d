// ref_leak.c with a suppression naming the function that takes the leaked
// references: nothing is reported (leaks and cycles are matched against the
// acquisition stack of the leaked references and the object's birth).
// SUPPRESSIONS: ref-leak:park_current
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-leak
// EXPECT-SUMMARY: .suppressed >= 1
#include <stdlib.h>

#include "lifeguard.h"

struct task { int refs; };
struct run_queue { struct task *current; };

static struct run_queue rq;

__attribute__((noinline)) static void park_current(struct run_queue *q)
{
    lg_ref_get(q->current, q);
}

int main(void)
{
    lg_object_new(&rq, "RunQueue");
    rq.current = calloc(1, sizeof *rq.current);
    lg_object_new(rq.current, "Task");
    for (int i = 0; i < 10; i++) park_current(&rq);
    lg_ref_put(rq.current, NULL);
    lg_ref_put(&rq, NULL);
    return 0;
}
