// sscanf storing an int into a freed block under the default guard=sites:
// the block is guarded, its pages inaccessible, so the store faults inside
// sscanf and is reported at the call's line as a write after free.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: read_int
// EXPECT-LINE: 16
// EXPECT-JQ: .access.type == "write"
// EXPECT-COUNT: 1
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>

static volatile int sink;

__attribute__((noinline)) static void read_int(int *dst) { sink = sscanf("42", "%d", dst); }

int main(void)
{
    int *gone = malloc(sizeof(int));
    free(gone);
    read_int(gone);
    return 0;
}
