// Blocks kept only by __thread variables, of the main thread and of a
// thread still alive (blocked) at exit: not leaks.
// EXPECT-CLEAN
// EXPECT-NO-KIND: leak
// EXPECT-STDOUT: tls ok 0
#include <lifeguard.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static __thread void *volatile tls_keep;
static __thread char tls_pad[100]; /* a larger TLS block */
static int pipe_fds[2];

static void *worker(void *arg)
{
    (void)arg;
    tls_keep = malloc(77);
    tls_pad[0] = 1;
    (void)write(pipe_fds[1], "r", 1);
    pause();
    return NULL;
}

int main(void)
{
    tls_keep = malloc(55);
    if (pipe(pipe_fds)) return 2;
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    char c;
    (void)read(pipe_fds[0], &c, 1); /* the worker has its block */
    printf("tls ok %zu\n", lg_leak_check());
    return 0; /* the worker is still blocked in pause() at exit */
}
