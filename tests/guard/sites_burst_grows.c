// guard=sites' budget of first uses: a thread guards 64 first uses at
// once, then, past its first 8192 allocations, one per 32 of them (up to
// 1024, then one per 4096).  400 distinct allocation stacks (a recursion,
// a block at each depth) ten times over in 4000 allocations: only the first 64 guarded
// (the old burst of 1024 guarded 1024: a short-lived program's whole
// life, docs/PERFORMANCE.md).  After 40000 more allocations the budget has
// grown, so a new site's first block is guarded again and its read after
// free faults at the instruction (suppressed, so that the run reaches its
// summary: one suppressed fault says the block was guarded).
// SUPPRESSIONS: use-after-free:late
// EXPECT-CLEAN
// EXPECT-SUMMARY: .suppressed == 1 and .guarded_allocations >= 64 and .guarded_allocations < 200
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

static void *volatile sink;

__attribute__((noinline)) static int deep(int n)
{
    int r = n ? deep(n - 1) : 0;
    char *p = malloc(32);
    sink = p;
    p[0] = (char)n;
    r += p[0];
    free(p);
    return r;
}

__attribute__((noinline)) static void hot(void)
{
    sink = malloc(24);
    free(sink);
}

__attribute__((noinline)) static int late(const volatile int *p)
{
    return p[2];
}

int main(void)
{
    int r = 0;
    for (int round = 0; round < 10; round++) r += deep(399);
    for (int i = 0; i < 40000; i++) hot();
    int *p = malloc(40);
    p[2] = r;
    free(p);
    return late(p) == 7;
}
