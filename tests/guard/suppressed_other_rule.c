// The twin of suppressed_uaf_read.c whose rule names another function: the
// read after free is reported at the instruction and the program stops
// there, as with no suppressions (exitcode 1; its own 3 is never reached).
// SUPPRESSIONS: use-after-free:some_other_function
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: get
// EXPECT-LINE: 17
// EXPECT-EXIT: 1
// EXPECT-SUMMARY: .suppressed == 0
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static int get(const volatile int *p)
{
    return p[3];
}

int main(void)
{
    int *p = malloc(40);
    p[3] = 7;
    free(p);
    int v = get(p);
    printf("went on after the read: %d\n", v);
    return 3;
}
