// A program's own SIGSEGV handler (installed with signal() and sigaction())
// does not switch detection off: a read of a freed block's pages is
// lifeguard's fault, reported, and the program stops with exitcode.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: sum
// EXPECT-LINE: 22
// EXPECT-JQ: .access.type == "read"
// EXPECT-NO-TEXT: the program's handler ran
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void on_segv(int sig) { (void)sig; write(1, "the program's handler ran\n", 26); _exit(0); }

__attribute__((noinline)) static long sum(const volatile char *p, size_t n)
{
    long s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    return s;
}

int main(void)
{
    signal(SIGSEGV, on_segv);
    struct sigaction sa = {0};
    sa.sa_handler = on_segv;
    sigaction(SIGBUS, &sa, NULL);
    char *big = malloc(256 << 10);
    memset(big, 1, 256 << 10);
    free(big);
    return (int)sum(big, 16);
}
