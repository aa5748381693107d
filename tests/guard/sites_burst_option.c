// guard_first_burst=5: a thread's 5th first use is guarded, so a direct read
// of its freed block faults at the instruction (the 6th is not: see
// sites_burst_past.c for the default's bound).
// OPTIONS: guard_first_burst=5
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: read_freed
// EXPECT-LINE: 12
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "sites_burst.h"
static volatile int sink;
__attribute__((noinline)) static int read_freed(const volatile char *p) { return p[8]; }

int main(void)
{
    sink = read_freed(freed_block_of_site(5));
    return 0;
}
