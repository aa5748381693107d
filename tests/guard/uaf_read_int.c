// A direct read of an int out of a freed block: the block is guarded (the
// first of its allocation stack), its pages inaccessible since the free, so
// the load faults and is reported at its line; the report the fault's
// handler writes last has the summary's guarded_allocations.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: get
// EXPECT-LINE: 17
// EXPECT-MESSAGE: inside the freed 40-byte block
// EXPECT-JQ: .access.type == "read" and (.stacks.free | any(.function == "main" and .line == 24)) and (.stacks.alloc | any(.function == "main" and .line == 22)) and .threads.free > 0
// EXPECT-SUMMARY: .guarded_allocations >= 1
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

__attribute__((noinline)) static int get(const volatile int *p)
{
    return p[3];
}

int main(void)
{
    int *p = malloc(40);
    p[3] = 7;
    free(p);
    return get(p) == 7;
}
