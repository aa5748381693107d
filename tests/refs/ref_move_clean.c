// The clean twin of ref_move.c: hand-overs as real code writes them, with
// no get or put at the hand-over — creator to queue, queue to worker,
// worker to completion — then the last put and the free.
// EXPECT-CLEAN
// EXPECT-NO-KIND: ref-put-unheld
// EXPECT-NO-KIND: ref-leak
// VARIANT: -O2 -g -fno-builtin
#include <stdlib.h>

#include "lifeguard.h"

struct request { int data; };
static char queue, worker;

__attribute__((noinline)) static void submit(struct request *rq)
{
    lg_ref_move(rq, NULL, &queue);
}

__attribute__((noinline)) static struct request *dequeue(struct request *rq)
{
    lg_ref_move(rq, &queue, &worker);
    return rq;
}

__attribute__((noinline)) static void complete(struct request *rq)
{
    lg_ref_put(rq, &worker);
}

int main(void)
{
    for (int i = 0; i < 4; i++) {
        struct request *rq = malloc(sizeof(*rq));
        lg_object_new(rq, "Request");
        submit(rq);
        complete(dequeue(rq));
        free(rq);
    }
    return 0;
}
