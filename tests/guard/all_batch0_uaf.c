// guard_batch=0: no free waits, so a read of a block freed right after
// another faults at once, in a loop of frees too.
// OPTIONS: guard=all:guard_batch=0
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: peek
// EXPECT-LINE: 16
// EXPECT-JQ: .access.type == "read"
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

static volatile long result;

__attribute__((noinline)) static void peek(long *volatile p)
{
    result = p[0];
}

int main(void)
{
    long *a = calloc(2, sizeof(long)), *b = calloc(2, sizeof(long));
    free(a);
    free(b);
    peek(b);
    return 0;
}
