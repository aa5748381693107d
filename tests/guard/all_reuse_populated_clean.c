// guard=all: blocks on reused slots whose pages were populated in one call
// are read and written exactly to their end, by two threads at once; no
// report, every byte as written.
// OPTIONS: guard=all:quarantine_mb=1
// EXPECT-CLEAN
// EXPECT-STDOUT: ok 2
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 64
#define ROUNDS 200

static void *churn(void *arg)
{
    unsigned seed = (unsigned)(size_t)arg;
    unsigned char *blocks[N];
    size_t lens[N];
    for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < N; i++) {
            seed = seed * 1103515245u + 12345u;
            lens[i] = 1 + (seed >> 16) % 3000;
            blocks[i] = malloc(lens[i]);
            memset(blocks[i], (int)(lens[i] & 0xff), lens[i]);
        }
        for (int i = 0; i < N; i++) {
            for (size_t j = 0; j < lens[i]; j++)
                if (blocks[i][j] != (unsigned char)(lens[i] & 0xff)) return NULL;
            free(blocks[i]);
        }
    }
    return arg;
}

int main(void)
{
    pthread_t t[2];
    int ok = 0;
    for (size_t k = 0; k < 2; k++) pthread_create(&t[k], NULL, churn, (void *)(k + 1));
    for (int k = 0; k < 2; k++) {
        void *r;
        pthread_join(t[k], &r);
        ok += r != NULL;
    }
    printf("ok %d\n", ok);
    return 0;
}
