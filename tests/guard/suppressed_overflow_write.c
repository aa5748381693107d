// A write 1 byte past the end of a guarded block that the suppressions
// hide: the guard page is made accessible and the write lands in it; the
// program goes on, and at the free the page is checked as a redzone, as an
// unguarded block's redzone would be.  Its damage is the suppressed
// access's, checked under that access's stack, so the same rule hides it:
// two suppressed, no finding, the program's own exit status.
// (overflow_write_1.c: the same write reported when nothing suppresses it;
// suppressed_overflow_then_other.c: damage the rule does not cover.)
// SUPPRESSIONS: heap-overflow:touch
// EXPECT-CLEAN
// EXPECT-EXIT: 0
// EXPECT-STDOUT: went on after the write
// EXPECT-SUMMARY: .suppressed == 2
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static void touch(volatile char *p)
{
    p[64] = 1;
}

int main(void)
{
    char *p = malloc(64);
    touch(p);
    puts("went on after the write");
    free(p);
    return 0;
}
