// kill(getpid(), SIGSEGV) goes to the program's own handler, which the
// program installed with signal(): as without lifeguard.
// EXPECT-CLEAN
// EXPECT-STDOUT: handler ran for 11, code user
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    got = sig;
    printf("handler ran for %d, code %s\n", sig, si->si_code <= 0 ? "user" : "fault");
}

int main(void)
{
    struct sigaction sa = {0}, old;
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    kill(getpid(), SIGSEGV);
    sigaction(SIGSEGV, NULL, &old);
    if (old.sa_sigaction != on_segv) printf("the handler read back is not the program's\n");
    return got == SIGSEGV ? 0 : 3;
}
