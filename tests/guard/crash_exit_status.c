// A real crash that is not a heap error is reported, then the program dies
// by the same signal: `lifeguard run` exits 128+11, as the shell would.
// EXPECT-KIND: segv
// EXPECT-FUNCTION: crash
// EXPECT-LINE: 14
// EXPECT-JQ: .access.type == "write"
// EXPECT-EXIT: 139
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdint.h>

__attribute__((noinline)) static void crash(volatile int *p)
{
    *p = 1;
}

int main(void)
{
    crash((volatile int *)(uintptr_t)16);
    return 0;
}
