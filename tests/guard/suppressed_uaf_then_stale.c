// After a suppressed read after free of a guarded block, the freed block
// holds its poison as an unguarded one would: the pointer read from it is
// lifeguard's poison, and following it is reported as a stale pointer
// naming the freed block (not hidden: the rule is for use-after-free).
// SUPPRESSIONS: use-after-free:load
// EXPECT-KIND: stale-pointer
// EXPECT-FUNCTION: follow
// EXPECT-LINE: 23
// EXPECT-SUMMARY: .suppressed == 1
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

static int target = 5;

__attribute__((noinline)) static int *load(int *const volatile *p)
{
    return p[1];
}

__attribute__((noinline)) static int follow(const volatile int *p)
{
    return *p;
}

int main(void)
{
    int **p = malloc(4 * sizeof(int *));
    p[1] = &target;
    free(p);
    return follow(load(p));
}
