// A 1 MiB read past the end of a guarded block, hidden by the suppressions:
// the address is in no page lifeguard can give back (not the block's guard
// page), so the program cannot go on; it stops with exitcode and says why
// in one line, and the finding counts as suppressed.
// SUPPRESSIONS: heap-overflow:peek
// EXPECT-CLEAN
// EXPECT-EXIT: 1
// EXPECT-TEXT: a suppressed heap-overflow at
// EXPECT-TEXT: touched no page lifeguard can give back
// EXPECT-SUMMARY: .suppressed == 1
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>

char *volatile keep;

__attribute__((noinline)) static int peek(const char *p)
{
    return p[3000 + (1 << 20)];
}

int main(void)
{
    keep = malloc(3000);
    int v = peek(keep);
    printf("went on (%d)\n", v);
    return 0;
}
