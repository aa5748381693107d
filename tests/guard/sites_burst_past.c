// The default budget of first uses: a new thread's 65th first use is past
// its 64 (its budget grows only past its first 8192 allocations: before,
// a shell loop's 7 400 allocations spent 128 more at once), so its block
// is not guarded and a direct read of it after its free is not seen at the
// instruction: a clean run (sites_burst_last.c: the 64th is found).
// EXPECT-CLEAN
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "sites_burst.h"
__attribute__((noinline)) static int read_freed(const volatile char *p) { return p[8]; }
static volatile int sink;

int main(void)
{
    sink = read_freed(freed_block_of_site(65));
    return 0;
}
