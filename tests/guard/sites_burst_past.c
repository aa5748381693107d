// The default budget of first uses: a new thread's 67th first use is past
// its 64 first uses and the two its budget gained meanwhile, so its block
// is not guarded and a direct read of it after its free is not seen at the
// instruction: a clean run (sites_burst_last.c: the 66th is found).
// EXPECT-CLEAN
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include "sites_burst.h"
__attribute__((noinline)) static int read_freed(const volatile char *p) { return p[8]; }
static volatile int sink;

int main(void)
{
    sink = read_freed(freed_block_of_site(67));
    return 0;
}
