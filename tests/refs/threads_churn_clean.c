// Two threads each create, use and destroy forty thousand objects (their
// records reused, the tables growing, the dead forgotten) while both get
// and put the same two long-lived objects, as named holders, anonymously
// and with tokens, on the tracker's path of one object's lock.  Nothing
// to report; the summary's call counts are exact (gets and puts counted
// in holder records that come and go), and lg_check_since finds nothing
// left.
// EXPECT-CLEAN
// EXPECT-STDOUT: left 0
// EXPECT-SUMMARY: .ref_gets == 2 * 40000 * 7 and .ref_puts == 2 * 40000 * 8
// EXPECT-SUMMARY: .ref_objects == 2 * 40000 + 2
// VARIANT: -O2 -g -fno-builtin
// NO-RUNTIME-RUN
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "lifeguard.h"

#define THREADS 2
#define ROUNDS 40000

static void *shared[2];
struct worker { int id; };

static void *run(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < ROUNDS; i++) {
        void *mine = malloc(48);
        lg_object_new(mine, "Churn");
        lg_ref_get(mine, w);
        for (int k = 0; k < 2; k++) {
            lg_ref_get(shared[k], w);
            lg_ref_get(shared[k], NULL);
        }
        lg_ref_put(mine, w);
        lg_ref_get(mine, NULL);
        for (int k = 0; k < 2; k++) {
            lg_ref_put(shared[k], NULL);
            lg_ref_put(shared[k], w);
        }
        lg_ref_token_t token = lg_ref_get_token(shared[i % 2], w);
        lg_ref_put_token(shared[i % 2], w, token);
        lg_ref_put(mine, NULL);
        lg_ref_put(mine, NULL); /* the creator's: zero */
        free(mine);
    }
    return NULL;
}

int main(void)
{
    pthread_t tid[THREADS];
    struct worker w[THREADS];
    lg_checkpoint_t since = lg_checkpoint();
    for (int k = 0; k < 2; k++) {
        shared[k] = malloc(64);
        lg_object_new(shared[k], "Shared");
    }
    for (int t = 0; t < THREADS; t++) {
        w[t].id = t;
        pthread_create(&tid[t], NULL, run, &w[t]);
    }
    for (int t = 0; t < THREADS; t++) pthread_join(tid[t], NULL);
    for (int k = 0; k < 2; k++) {
        lg_object_free(shared[k]); /* the destroyer owns the creator's reference */
        free(shared[k]);
    }
    printf("left %zu\n", lg_check_since(since, "churn"));
    return 0;
}
