// lg_leak_check() while other threads compute, block in read(), sleep,
// wait on a condition variable and allocate: their blocks (on their stacks)
// are not leaks, the block main dropped is, and no thread notices the stop
// (read gets its byte, sleeps are not cut short).
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_dropped
// EXPECT-COUNT: 1
// EXPECT-STDOUT: check: 1 leaked
// EXPECT-STDOUT: reader got x
// EXPECT-STDOUT: sleeper slept fully
// EXPECT-STDOUT: waiter woke
#include <lifeguard.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int fds[2];
static volatile int stop, started;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int signalled;

static void *spinner(void *arg)
{
    (void)arg;
    char *volatile mine = malloc(64);
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    unsigned long x = 1;
    while (!stop) x = x * 6364136223846793005ul + 1;
    mine[0] = (char)x;
    free(mine);
    return NULL;
}

static void *allocator(void *arg)
{
    (void)arg;
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    void *ring[16] = {0};
    for (unsigned i = 0; !stop; i++) {
        free(ring[i % 16]);
        ring[i % 16] = malloc(16 + i % 500);
    }
    for (int i = 0; i < 16; i++) free(ring[i]);
    return NULL;
}

static void *reader(void *arg)
{
    (void)arg;
    char *volatile mine = malloc(32);
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    char c = 0;
    ssize_t n = read(fds[0], &c, 1);
    printf("reader got %c (%zd)\n", c, n);
    free(mine);
    return NULL;
}

static void *sleeper(void *arg)
{
    (void)arg;
    char *volatile mine = malloc(32);
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    struct timespec ts = {0, 400000000}, left = {0, 0};
    int r = nanosleep(&ts, &left);
    printf("sleeper %s\n", r == 0 ? "slept fully" : "was interrupted");
    free(mine);
    return NULL;
}

static void *waiter(void *arg)
{
    (void)arg;
    char *volatile mine = malloc(32);
    pthread_mutex_lock(&mu);
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    while (!signalled) pthread_cond_wait(&cv, &mu);
    pthread_mutex_unlock(&mu);
    puts("waiter woke");
    free(mine);
    return NULL;
}

__attribute__((noinline)) static void make_dropped(void)
{
    char *p = malloc(200);
    p[0] = 0;
}

int main(void)
{
    if (pipe(fds)) return 2;
    void *(*fns[])(void *) = {spinner, spinner, allocator, reader, sleeper, waiter};
    pthread_t t[6];
    for (int i = 0; i < 6; i++) pthread_create(&t[i], NULL, fns[i], NULL);
    while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < 6) sched_yield();
    usleep(50000); /* let them block */
    make_dropped();
    printf("check: %zu leaked\n", lg_leak_check());
    (void)write(fds[1], "x", 1);
    pthread_mutex_lock(&mu);
    signalled = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
    stop = 1;
    for (int i = 0; i < 6; i++) pthread_join(t[i], NULL);
    return 0;
}
