// The clean twin of sampled_uaf_read.c: the same rounds read their block
// before freeing it, so no sampled block faults, and sampling guarded one
// allocation in 16 of them (the cost limit's allowance covers a short run).
// OPTIONS: guard_first=0:guard_sample=16
// EXPECT-CLEAN
// EXPECT-SUMMARY: .guarded_allocations >= 50
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
        sink += peek(p);
        free(p);
    }
    return 0;
}
