// guard_first_burst=5: a thread's 6th first use is not guarded (its budget
// grows only past its first 8192 allocations), so a direct read of its freed
// block is not seen at the instruction: a clean run.
// OPTIONS: guard_first_burst=5
// EXPECT-CLEAN
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "sites_burst.h"
static volatile int sink;
__attribute__((noinline)) static int read_freed(const volatile char *p) { return p[8]; }

int main(void)
{
    sink = read_freed(freed_block_of_site(6));
    return 0;
}
