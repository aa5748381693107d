// A program that handles its own faults (a JIT, a garbage collector, a
// guard-page probe) installs its handler after lifeguard's: the fault is the
// program's business and nothing is reported.
// EXPECT-CLEAN
// EXPECT-STDOUT: recovered from 1 fault
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>

static sigjmp_buf recover;
static volatile int faults;

static void on_fault(int sig)
{
    (void)sig;
    faults++;
    siglongjmp(recover, 1);
}

int main(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_fault;
    sigaction(SIGSEGV, &sa, NULL);
    volatile char *guard = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (!sigsetjmp(recover, 1)) (void)guard[0];
    printf("recovered from %d fault\n", faults);
    return 0;
}
