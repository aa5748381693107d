// A put racing a destroy, two thousand times: the worker holds three
// references to each object; it drops one, the next at the moment another
// thread destroys the object, and the last once the destroy is done (all
// from one call site, so that the tracker knows the site by the racing
// put: the path of the object's lock alone).  Whichever comes first, the
// tracker stays whole: the destroy finds the worker still holding
// (ref-freed-while-held), a put after it is reported (ref-put-after-free),
// and nothing else — no underflow, no double put, no leak.
// EXPECT-KIND: ref-freed-while-held
// EXPECT-FUNCTION: destroyer
// EXPECT-LINE: 56
// EXPECT-KIND: ref-put-after-free
// EXPECT-FUNCTION: drop
// EXPECT-LINE: 34
// EXPECT-NO-KIND: ref-underflow
// EXPECT-NO-KIND: ref-put-unheld
// EXPECT-NO-KIND: ref-get-after-free
// EXPECT-NO-KIND: ref-leak
// VARIANT: -O2 -g -fno-builtin
#include <pthread.h>
#include <stdlib.h>

#include "lifeguard.h"

#define OBJECTS 2000

static void *objs[OBJECTS];
static int destroyed[OBJECTS];
static pthread_barrier_t start;

/* Every put: the first after the destroy is reported. */
__attribute__((noinline)) static void drop(void *obj, void *holder)
{
    lg_ref_put(obj, holder);
}

static volatile int three = 3; /* not a constant: the loop is not unrolled into three call sites */

static void *worker(void *holder)
{
    for (int i = 0; i < OBJECTS; i++) {
        for (int k = 0; k < three; k++) {
            if (k == 1) pthread_barrier_wait(&start);
            if (k == 2)
                while (!__atomic_load_n(&destroyed[i], __ATOMIC_ACQUIRE)) {}
            drop(objs[i], holder); /* before the destroy, racing it, after it */
        }
    }
    return NULL;
}

__attribute__((noinline)) static void destroyer(void)
{
    for (int i = 0; i < OBJECTS; i++) {
        pthread_barrier_wait(&start);
        lg_object_free(objs[i]);
        __atomic_store_n(&destroyed[i], 1, __ATOMIC_RELEASE);
    }
}

int main(void)
{
    static int holder;
    for (int i = 0; i < OBJECTS; i++) {
        objs[i] = malloc(32);
        lg_object_new(objs[i], "Raced");
        for (int k = 0; k < 3; k++) lg_ref_get(objs[i], &holder);
    }
    pthread_barrier_init(&start, NULL, 2);
    pthread_t tid;
    pthread_create(&tid, NULL, worker, &holder);
    destroyer();
    pthread_join(tid, NULL);
    for (int i = 0; i < OBJECTS; i++) free(objs[i]);
    return 0;
}
