// A 64 KiB underflow of a small block lands outside every slot: it is
// reported as an overflow of the nearest block, with its stacks.
// guard=off: under guard=sites the block is guarded, and 64 KiB below it
// are other guarded slots' pages, accessible while their blocks live, so
// the write is not caught (a jump over the guard page: README, what still
// needs instrumentation); this case is about an ordinary block.
// OPTIONS: guard=off
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: poke
// EXPECT-LINE: 21
// EXPECT-MESSAGE: 65536 bytes before the 2000-byte block
// EXPECT-JQ: .access.type == "write" and .stacks.alloc != null
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

char *volatile keep;

__attribute__((noinline)) static void poke(char *p)
{
    p[-65536] = 1;
}

int main(void)
{
    keep = malloc(2000); /* the first block of its size class */
    poke(keep);
    return 0;
}
