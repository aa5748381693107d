// A plain crash is reported with its stack, then the program dies by the
// signal as it would without lifeguard (128+11 from lifeguard run).
// EXPECT-EXIT: 139
// EXPECT-KIND: segv
// EXPECT-FUNCTION: crash
// EXPECT-MESSAGE: the null page
// EXPECT-TEXT: SUMMARY: lifeguard: 1 error (1 kind: segv 1)
#include <stdlib.h>

__attribute__((noinline)) static int crash(volatile int *p)
{
    return *p;
}

int main(void)
{
    return crash(NULL);
}
