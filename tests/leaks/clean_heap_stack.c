// A thread running on a stack that is itself a heap block
// (pthread_attr_setstack with malloc'd memory) keeps the blocks its frames
// point to (the scan reads that block from the thread's stack pointer up;
// glibc also links the thread descriptor at its top, so it is reachable).
// EXPECT-CLEAN
// EXPECT-NO-KIND: leak
// EXPECT-STDOUT: check 0
#include <lifeguard.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static volatile int go, ready;
static void *stack_block; /* keeps the stack block itself */

static void *worker(void *arg)
{
    (void)arg;
    char *volatile mine = malloc(40);
    mine[0] = 1;
    ready = 1;
    while (!go) __atomic_thread_fence(__ATOMIC_SEQ_CST);
    free(mine);
    return NULL;
}

int main(void)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    size_t size = 1 << 20;
    stack_block = malloc(size);
    pthread_attr_setstack(&attr, stack_block, size);
    pthread_t t;
    pthread_create(&t, &attr, worker, NULL);
    while (!ready) __atomic_thread_fence(__ATOMIC_SEQ_CST);
    printf("check %zu\n", lg_leak_check());
    go = 1;
    pthread_join(t, NULL);
    free(stack_block);
    return 0;
}
