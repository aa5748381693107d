// Eight threads get and put the same four objects, as named holders and
// anonymously; every reference is dropped and every object destroyed by
// whichever thread drops the last one (kref style).  Nothing to report,
// and lg_check_since finds nothing left.
// EXPECT-CLEAN
// EXPECT-STDOUT: left 0
// NO-RUNTIME-RUN
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "lifeguard.h"

#define THREADS 8
#define ROUNDS 20000

struct obj { int refs; };
static struct obj *objs[4];
struct worker { int id; };

static void obj_put(struct obj *o, const void *holder)
{
    lg_ref_put(o, holder);
    if (__atomic_sub_fetch(&o->refs, 1, __ATOMIC_ACQ_REL) == 0) free(o);
}

static void *run(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < ROUNDS; i++) {
        struct obj *o = objs[(i + w->id) % 4];
        lg_ref_get(o, w);
        __atomic_add_fetch(&o->refs, 1, __ATOMIC_RELAXED);
        lg_ref_get(o, NULL);
        __atomic_add_fetch(&o->refs, 1, __ATOMIC_RELAXED);
        obj_put(o, NULL);
        obj_put(o, w);
    }
    /* each thread also holds every object once, dropped at the end */
    for (int k = 0; k < 4; k++) obj_put(objs[k], w);
    return NULL;
}

int main(void)
{
    pthread_t tid[THREADS];
    struct worker w[THREADS];
    lg_checkpoint_t since = lg_checkpoint();
    for (int k = 0; k < 4; k++) {
        objs[k] = malloc(sizeof *objs[k]);
        objs[k]->refs = 1 + THREADS;
        lg_object_new(objs[k], "Shared");
        for (int t = 0; t < THREADS; t++) lg_ref_get(objs[k], &w[t]);
    }
    for (int k = 0; k < 4; k++) obj_put(objs[k], NULL); /* the creator's */
    for (int t = 0; t < THREADS; t++) {
        w[t].id = t;
        pthread_create(&tid[t], NULL, run, &w[t]);
    }
    for (int t = 0; t < THREADS; t++) pthread_join(tid[t], NULL);
    printf("left %zu\n", lg_check_since(since, "threads"));
    return 0;
}
