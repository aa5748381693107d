// A thread that installs an alternate signal stack of its own keeps it:
// lifeguard's per-thread stack is replaced, the program's SIGSEGV handler
// (for a fault on a page the program protected itself) runs on the
// program's stack, and sigaltstack reports it.  No finding.
// EXPECT-CLEAN
// EXPECT-STDOUT: handled on the program's own stack
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define ALT_BYTES (64 << 10)
static char *alt;
static sigjmp_buf back;
static volatile int on_own_stack;

static void on_segv(int sig)
{
    char here;
    (void)sig;
    on_own_stack = &here >= alt && &here < alt + ALT_BYTES;
    siglongjmp(back, 1);
}

static void *worker(void *arg)
{
    (void)arg;
    alt = malloc(ALT_BYTES);
    stack_t ss = {.ss_sp = alt, .ss_size = ALT_BYTES, .ss_flags = 0};
    if (sigaltstack(&ss, NULL) != 0) return (void *)1;
    struct sigaction sa = {0};
    sa.sa_handler = on_segv;
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    long page = sysconf(_SC_PAGESIZE);
    volatile char *mine = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (sigsetjmp(back, 1) == 0) mine[0] = 1;
    stack_t now;
    sigaltstack(NULL, &now);
    munmap((void *)mine, page);
    return (void *)(intptr_t)!(on_own_stack && now.ss_sp == alt);
}

int main(void)
{
    pthread_t t;
    void *bad;
    pthread_create(&t, NULL, worker, NULL);
    pthread_join(t, &bad);
    if (bad) return 1;
    printf("handled on the program's own stack\n");
    free(alt);
    return 0;
}
