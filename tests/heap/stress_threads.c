// Many threads allocating, sharing and freeing across threads: no finding.
// EXPECT-CLEAN
// EXPECT-STDOUT: threads done
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 8
#define ROUNDS 20000

static void *volatile mailbox[THREADS];

static void *worker(void *arg)
{
    long id = (long)arg;
    unsigned seed = (unsigned)id * 7919u;
    for (int i = 0; i < ROUNDS; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t size = (seed >> 16) % 2000 + 1;
        char *p = malloc(size);
        memset(p, (int)id, size);
        /* Hand the block to a neighbour; free whatever it left us. */
        void *old = __atomic_exchange_n(&mailbox[(id + 1) % THREADS], p, __ATOMIC_ACQ_REL);
        free(old);
        if (i % 1000 == 0) p = realloc(calloc(4, 8), 100), free(p);
    }
    return NULL;
}

int main(void)
{
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < THREADS; i++) free(mailbox[i]);
    puts("threads done");
    return 0;
}
