// Large blocks sit against a guard page: an overflow faults at once and is
// reported with the block.
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: fill
// EXPECT-MESSAGE: past the end of the 1048576-byte block
#include <stdlib.h>

__attribute__((noinline)) static void fill(volatile char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) p[i] = 1;
}

int main(void)
{
    char *big = malloc(1 << 20);
    fill(big, (1 << 20) + 64);
    free(big);
    return 0;
}
