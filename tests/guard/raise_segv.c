// A SIGSEGV the program sends itself is not a fault: no finding, and the
// program dies by it as it would without lifeguard (exit 128+11 from run).
// EXPECT-NO-KIND: segv
// EXPECT-EXIT: 139
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <signal.h>
#include <stdlib.h>

int main(void)
{
    void *p = malloc(32);
    free(p);
    raise(SIGSEGV);
    return 0;
}
