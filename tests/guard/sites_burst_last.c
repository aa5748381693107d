// The default budget of first uses: a new thread guards its first 64 first
// uses (its budget grows only past its first 8192 allocations), so its
// 64th first use is guarded and a direct read of that freed block faults
// at the instruction (sites_burst_past.c: the 65th is not).  Pins
// guard_first_burst's default (64, docs/PERFORMANCE.md).
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: read_freed
// EXPECT-LINE: 12
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "sites_burst.h"
__attribute__((noinline)) static int read_freed(const volatile char *p) { return p[8]; }
static volatile int sink;

int main(void)
{
    sink = read_freed(freed_block_of_site(64));
    return 0;
}
