// A read after free on a hot path, caught by sampling alone: no first uses
// (guard_first=0), one allocation in 16 guarded.  Each round frees its
// block and then reads it; an unguarded block's read sees poison and goes
// unnoticed, the first sampled one faults at the read.
// OPTIONS: guard_first=0:guard_sample=16
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: peek
// EXPECT-LINE: 19
// EXPECT-JQ: .access.type == "read" and (.stacks.free | any(.function == "main"))
// EXPECT-SUMMARY: .guarded_allocations >= 1
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

static volatile long sink;

__attribute__((noinline)) static long peek(const volatile long *p)
{
    return p[1];
}

int main(void)
{
    for (int i = 0; i < 1000; i++) {
        long *p = malloc(48);
        p[1] = i;
        free(p);
        sink += peek(p);
    }
    return 0;
}
