// threads_no_stacks.c's twin: eight threads get and put the same four
// objects under stacks=0 (the tracker's quick path), as named holders and
// anonymously, and keep nothing; the creators' references are dropped and
// the objects freed.  Nothing to report; the summary counts every call.
// OPTIONS: stacks=0
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
// EXPECT-CLEAN
// EXPECT-SUMMARY: .ref_gets == 320000 and .ref_puts == 320004
// NO-RUNTIME-RUN
#include <pthread.h>
#include <stdlib.h>

#include "lifeguard.h"

#define THREADS 8
#define ROUNDS 20000

static void *objs[4];
struct worker { int id; };

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
    return NULL;
}

int main(void)
{
    pthread_t tid[THREADS];
    static struct worker workers[THREADS];
    for (int k = 0; k < 4; k++) {
        objs[k] = malloc(32);
        lg_object_new(objs[k], "Shared");
    }
    for (int t = 0; t < THREADS; t++) {
        workers[t].id = t;
        pthread_create(&tid[t], NULL, run, &workers[t]);
    }
    for (int t = 0; t < THREADS; t++) pthread_join(tid[t], NULL);
    for (int k = 0; k < 4; k++) {
        lg_ref_put(objs[k], NULL);
        free(objs[k]);
    }
    return 0;
}
