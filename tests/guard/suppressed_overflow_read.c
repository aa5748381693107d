// A read 1 byte past the end of a guarded block that the suppressions
// hide: the guard page is made accessible (filled as a redzone), the
// program goes on, and the free finds the page unchanged: no finding.
// (overflow_read_1.c: the same read reported when nothing suppresses it.)
// SUPPRESSIONS: heap-overflow:peek
// EXPECT-CLEAN
// EXPECT-EXIT: 0
// EXPECT-STDOUT: went on after the read
// EXPECT-SUMMARY: .suppressed == 1
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static int peek(const volatile char *p)
{
    return p[64];
}

int main(void)
{
    char *p = malloc(64);
    int v = peek(p);
    printf("went on after the read (%d)\n", v != 0);
    free(p);
    return 0;
}
