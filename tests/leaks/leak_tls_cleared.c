// The twin of clean_tls: once the __thread variables are cleared, their
// blocks are leaks — of the main thread and of a thread blocked at exit.
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_main_tls
// EXPECT-KIND: leak
// EXPECT-FUNCTION: make_worker_tls
// EXPECT-KIND: leak
// EXPECT-COUNT: 2
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "scrub.h"

static __thread void *volatile tls_keep;
static int pipe_fds[2];

__attribute__((noinline)) static void *make_main_tls(void)
{
    return malloc(55);
}

__attribute__((noinline)) static void *make_worker_tls(void)
{
    return malloc(77);
}

static void *worker(void *arg)
{
    (void)arg;
    tls_keep = make_worker_tls();
    tls_keep = NULL;
    scrub();
    (void)write(pipe_fds[1], "r", 1);
    pause();
    return NULL;
}

int main(void)
{
    tls_keep = make_main_tls();
    tls_keep = NULL;
    scrub();
    if (pipe(pipe_fds)) return 2;
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    char c;
    (void)read(pipe_fds[0], &c, 1);
    puts("cleared");
    return 0;
}
