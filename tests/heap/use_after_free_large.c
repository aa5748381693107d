// A large freed block's pages are given back: reading it faults and is
// reported as a use-after-free of that block.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: sum
// EXPECT-MESSAGE: inside the freed
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static long sum(const volatile char *p, size_t n)
{
    long s = 0;
    for (size_t i = 0; i < n; i++) s += p[i];
    return s;
}

int main(void)
{
    char *big = malloc(256 << 10);
    memset(big, 1, 256 << 10);
    free(big);
    return (int)sum(big, 16);
}
