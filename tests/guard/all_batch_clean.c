// The clean twin of all_batch_write_after_free and all_batch_closed_uaf:
// loops of frees under guard=all, batches closing when full, at the next
// allocation and at the thread's end, and every block's contents intact
// until its free.
// OPTIONS: guard=all
// EXPECT-CLEAN
// EXPECT-STDOUT: sum 84800
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 100

static long round_of(int r)
{
    char *blocks[N];
    long sum = 0;
    for (int i = 0; i < N; i++) {
        blocks[i] = malloc(16 + (size_t)(i % 5) * 40);
        memset(blocks[i], i + r, 16);
    }
    for (int i = 0; i < N; i++) {
        sum += blocks[i][15];
        free(blocks[i]);
        if (i % 37 == 36) free(malloc(8)); /* an allocation between: the batch closes */
    }
    return sum;
}

static void *thread_rounds(void *arg)
{
    long *sum = arg;
    for (int r = 0; r < 8; r++) *sum += round_of(r);
    return NULL; /* a batch still waiting closes as the thread ends */
}

int main(void)
{
    long sums[2] = {0, 0};
    pthread_t t;
    pthread_create(&t, NULL, thread_rounds, &sums[1]);
    thread_rounds(&sums[0]);
    pthread_join(t, NULL);
    printf("sum %ld\n", sums[0] + sums[1]);
    return 0;
}
