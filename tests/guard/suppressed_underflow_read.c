// A read 1 byte before a guarded block that starts at its page (the second
// of its allocation stack), hidden by the suppressions: the guard page
// below is made accessible and the program goes on, no finding.
// (underflow.c: the same read reported when nothing suppresses it.)
// SUPPRESSIONS: heap-overflow:touch
// EXPECT-CLEAN
// EXPECT-EXIT: 0
// EXPECT-STDOUT: went on after the read
// EXPECT-SUMMARY: .suppressed == 1
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static int touch(const volatile char *p)
{
    return p[-1];
}

int main(void)
{
    char *p[2];
    volatile int count = 2; /* one allocation site, not unrolled */
    for (int i = 0; i < count; i++) p[i] = malloc(64);
    int v = touch(p[1]);
    printf("went on after the read (%d)\n", v != 0);
    free(p[0]);
    free(p[1]);
    return 0;
}
