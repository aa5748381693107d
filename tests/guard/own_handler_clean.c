// A program with its own SIGSEGV handler, on its own sigaltstack, that
// recovers from faults on pages it protected itself: an mmap'd page and a
// page-aligned heap block it mprotects.  Those faults are the program's:
// its handler gets them as without lifeguard, and nothing is reported.
// EXPECT-CLEAN
// EXPECT-STDOUT: recovered 2 faults, sum 42
// NO-RUNTIME-RUN
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static char *pages[2];
static size_t page;
static volatile int faults;
static char alt_stack[1 << 16];

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    for (int i = 0; i < 2; i++) {
        if ((char *)si->si_addr >= pages[i] && (char *)si->si_addr < pages[i] + page) {
            mprotect(pages[i], page, PROT_READ | PROT_WRITE);
            faults++;
            return;
        }
    }
    _exit(7); /* not one of ours */
}

int main(void)
{
    page = (size_t)sysconf(_SC_PAGESIZE);
    stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof(alt_stack)};
    if (sigaltstack(&ss, NULL)) return 5;
    struct sigaction sa = {0};
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);

    pages[0] = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (posix_memalign((void **)&pages[1], page, page)) return 6;
    mprotect(pages[1], page, PROT_NONE);
    volatile char *a = pages[0], *b = pages[1];
    a[10] = 40; /* faults, the handler unprotects, the store runs again */
    b[20] = 2;
    printf("recovered %d faults, sum %d\n", faults, a[10] + b[20]);
    free(pages[1]);
    munmap(pages[0], page);
    return faults == 2 ? 0 : 4;
}
