// lg_ref_move: a request's reference is handed from the submitter to the
// queue, then from the queue to the worker that completes it.  The bug:
// the retry path hands over a reference the queue no longer holds (it was
// already handed to the worker): ref-put-unheld at the second hand-over.
// The clean twin is ref_move_clean.c.
// EXPECT-KIND: ref-put-unheld
// EXPECT-FUNCTION: requeue
// EXPECT-LINE: 41
// EXPECT-OBJECT: Request#1
// EXPECT-MESSAGE: hands over a reference to Request#1 it does not hold
// EXPECT-TEXT: (4 bytes into a 8-byte heap block allocated in main) holds 1
// VARIANT: -O2 -g -fno-builtin
#include <stdlib.h>

#include "lifeguard.h"

struct request { int data; };
struct pool { int busy; char worker; };
static char queue;
static struct pool *pool; /* its worker field holds the request: a heap holder */
#define worker (pool->worker)

__attribute__((noinline)) static void submit(struct request *rq)
{
    lg_ref_move(rq, NULL, &queue); /* the creator's reference now belongs to the queue */
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

__attribute__((noinline)) static void requeue(struct request *rq)
{
    lg_ref_move(rq, &queue, &worker); /* bug: the queue handed it over already */
}

int main(void)
{
    pool = malloc(sizeof(*pool));
    struct request *rq = malloc(sizeof(*rq));
    lg_object_new(rq, "Request");
    submit(rq);
    dequeue(rq);
    requeue(rq);
    complete(rq);
    free(rq);
    free(pool);
    return 0;
}
