// A long-running thread's budget of first uses at its bound: after 50 000
// allocations a new thread guards about 1036 first uses (1024 and one per
// 4096 allocations), so its 1000th new site's first block is guarded and a
// direct read of it after its free faults at the instruction
// (sites_bound_past.c: the 1100th is not).  Pins what a long-running
// program keeps however the budget grows on the way (docs/PERFORMANCE.md).
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: read_freed
// EXPECT-LINE: 13
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "sites_bound.h"
__attribute__((noinline)) static int read_freed(const volatile char *p) { return p[8]; }
static volatile int sink;

int main(void)
{
    sink = read_freed(freed_block_of_site(1000));
    return 0;
}
