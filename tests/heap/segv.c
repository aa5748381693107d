// A plain crash is reported with its stack.
// EXPECT-KIND: segv
// EXPECT-FUNCTION: crash
// EXPECT-MESSAGE: the null page
#include <stdlib.h>

__attribute__((noinline)) static int crash(volatile int *p)
{
    return *p;
}

int main(void)
{
    return crash(NULL);
}
