// A freed block too big to keep its pages in the quarantine (8 MiB) has
// them given back and made inaccessible: reading it faults and is reported
// as a use-after-free of that block, as for any large block.
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
    char *big = malloc(8 << 20);
    memset(big, 1, 8 << 20);
    free(big);
    return (int)sum(big + (4 << 20), 16);
}
