// SIGSEGV sent to a thread (pthread_kill: not a fault, so the program's
// handler gets it) while that thread is inside sigaction, changing its
// SIGSEGV handler in a loop: lifeguard's handler reads the recorded
// handler without a lock, so this cannot deadlock (alarm ends a hang with
// a failing status).  Every signal reaches the program's handler.
// EXPECT-CLEAN
// EXPECT-STDOUT: all signals handled
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SIGNALS 500
static volatile int handled, done;

static void on_segv_a(int sig)
{
    (void)sig;
    __atomic_fetch_add(&handled, 1, __ATOMIC_RELAXED);
}

static void on_segv_b(int sig)
{
    (void)sig;
    __atomic_fetch_add(&handled, 1, __ATOMIC_RELAXED);
}

static void *changer(void *arg)
{
    (void)arg;
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    for (unsigned i = 0; !__atomic_load_n(&done, __ATOMIC_RELAXED); i++) {
        sa.sa_handler = i & 1 ? on_segv_a : on_segv_b;
        sigaction(SIGSEGV, &sa, NULL);
    }
    return NULL;
}

int main(void)
{
    alarm(60);
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_segv_a;
    sigaction(SIGSEGV, &sa, NULL);
    pthread_t t;
    pthread_create(&t, NULL, changer, NULL);
    for (int i = 0; i < SIGNALS; i++) {
        int before = __atomic_load_n(&handled, __ATOMIC_RELAXED);
        pthread_kill(t, SIGSEGV);
        while (__atomic_load_n(&handled, __ATOMIC_RELAXED) == before) sched_yield();
    }
    __atomic_store_n(&done, 1, __ATOMIC_RELAXED);
    pthread_join(t, NULL);
    if (handled == SIGNALS) printf("all signals handled\n");
    return handled == SIGNALS ? 0 : 1;
}
