// lg_refcount_t used right by eight threads: each holds a reference taken
// for it, gets and puts its own in a loop, and drops the last; exactly one
// put reports zero and frees.  Nothing to report.
// EXPECT-CLEAN
// EXPECT-STDOUT: destroyed 1 count 0
// NO-RUNTIME-RUN
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "lifeguard.h"

#define THREADS 8

struct session { lg_refcount_t ref; int id; };
struct worker { struct session *s; int n; };

static int destroyed;

static void session_put(struct session *s, const void *holder)
{
    if (lg_refcount_put(&s->ref, s, holder)) {
        __atomic_add_fetch(&destroyed, 1, __ATOMIC_RELAXED);
        free(s);
    }
}

static void *run(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < 10000; i++) {
        lg_refcount_get(&w->s->ref, w->s, NULL);
        session_put(w->s, NULL);
    }
    session_put(w->s, w);
    return NULL;
}

int main(void)
{
    struct session *s = malloc(sizeof *s);
    lg_refcount_init(&s->ref, s, "Session");
    pthread_t tid[THREADS];
    struct worker w[THREADS];
    for (int t = 0; t < THREADS; t++) {
        w[t] = (struct worker){s, t};
        lg_refcount_get(&s->ref, s, &w[t]);
    }
    session_put(s, NULL);
    for (int t = 0; t < THREADS; t++) pthread_create(&tid[t], NULL, run, &w[t]);
    for (int t = 0; t < THREADS; t++) pthread_join(tid[t], NULL);
    lg_refcount_t fresh = LG_REFCOUNT_INIT(0);
    printf("destroyed %d count %d\n", destroyed, (int)lg_refcount_read(&fresh));
    return 0;
}
