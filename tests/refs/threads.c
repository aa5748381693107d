// Eight threads get and put the same four objects, as named holders and
// anonymously, twenty thousand times each; each thread then keeps exactly
// one reference to object 0.  The counts must come out exact: refcount 8,
// eight holders of one reference each, everything else released.
// EXPECT-KIND: ref-leak
// EXPECT-FUNCTION: keep_one
// EXPECT-LINE: 27
// EXPECT-OBJECT: Shared#1
// EXPECT-COUNT: 1
// EXPECT-JQ: .object.refcount == 8 and (.holders | length == 8 and all(.count == 1))
// EXPECT-NO-KIND: ref-underflow
// EXPECT-NO-KIND: ref-put-unheld
// EXPECT-NO-KIND: ref-get-after-free
#include <pthread.h>
#include <stdlib.h>

#include "lifeguard.h"

#define THREADS 8
#define ROUNDS 20000

static void *objs[4];
struct worker { int id; };

__attribute__((noinline)) static void keep_one(struct worker *w)
{
    lg_ref_get(objs[0], w);
}

static void *run(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < ROUNDS; i++) {
        void *o = objs[(i + w->id) % 4];
        lg_ref_get(o, w);
        lg_ref_get(o, NULL);
        lg_ref_put(o, NULL);
        lg_ref_put(o, w);
    }
    keep_one(w);
    return NULL;
}

int main(void)
{
    pthread_t tid[THREADS];
    static struct worker workers[THREADS];
    struct worker *w[THREADS];
    for (int k = 0; k < 4; k++) {
        objs[k] = malloc(32);
        lg_object_new(objs[k], "Shared");
    }
    for (int t = 0; t < THREADS; t++) {
        w[t] = &workers[t];
        w[t]->id = t;
        pthread_create(&tid[t], NULL, run, w[t]);
    }
    for (int t = 0; t < THREADS; t++) pthread_join(tid[t], NULL);
    for (int k = 0; k < 4; k++) lg_ref_put(objs[k], NULL);
    for (int k = 1; k < 4; k++) free(objs[k]);
    return 0; /* the workers' references to objs[0] leak (objs[0] stays reachable) */
}
