// A long-running thread's budget of first uses has a bound: after 50 000
// allocations a new thread guards about 1036 first uses, so its 1100th new
// site's first block is not guarded and a direct read of it after its free
// is not seen at the instruction: a clean run (sites_bound_last.c: the
// 1000th is found).
// EXPECT-CLEAN
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "sites_bound.h"
__attribute__((noinline)) static int read_freed(const volatile char *p) { return p[8]; }
static volatile int sink;

int main(void)
{
    sink = read_freed(freed_block_of_site(1100));
    return 0;
}
