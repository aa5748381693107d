// At exit, with threads still running, blocked in system calls, and being
// created and exiting, the scan stops them, finds nothing leaked (their
// blocks are on their stacks) and does not hang.
// EXPECT-CLEAN
// EXPECT-NO-KIND: leak
// EXPECT-STDOUT: exiting with threads
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void *blocked(void *arg)
{
    (void)arg;
    char *volatile mine = malloc(48);
    mine[0] = 1;
    pause();
    return NULL;
}

static void *busy(void *arg)
{
    (void)arg;
    char *volatile mine = malloc(48);
    for (unsigned long x = 1;; x++) mine[x % 48] = (char)x;
    return NULL;
}

static void *short_lived(void *arg)
{
    free(malloc((size_t)arg));
    return NULL;
}

static void *spawner(void *arg)
{
    (void)arg;
    for (long i = 0;; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, short_lived, (void *)(i % 300 + 1)) == 0) pthread_detach(t);
    }
    return NULL;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, NULL, blocked, NULL);
    pthread_create(&t, NULL, busy, NULL);
    pthread_create(&t, NULL, spawner, NULL);
    usleep(100000);
    puts("exiting with threads");
    fflush(stdout);
    exit(0);
}
