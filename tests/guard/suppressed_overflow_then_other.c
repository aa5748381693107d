// After a suppressed read past the end of a guarded block has opened its
// guard page, a write there by code the rule does not name is no longer
// caught at the instruction (the page is accessible, as an unguarded
// block's redzone is), but the free checks the page as a redzone and
// reports the damage, with the allocation and the free stacks.
// SUPPRESSIONS: heap-overflow:peek
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: main
// EXPECT-LINE: 32
// EXPECT-MESSAGE: past the end of the 64-byte block
// EXPECT-JQ: (.stacks.alloc | any(.function == "main" and .line == 28))
// EXPECT-STDOUT: went on after both
// EXPECT-SUMMARY: .suppressed == 1
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static int peek(const volatile char *p)
{
    return p[64];
}

__attribute__((noinline)) static void scribble(volatile char *p) { p[70] = 1; }

int main(void)
{
    char *p = malloc(64);
    int v = peek(p);
    scribble(p);
    printf("went on after both (%d)\n", v != 0);
    free(p);
    return 0;
}
