// guard=all: an allocation closes the thread's batch of waiting frees, so
// a block freed just before it (in a loop of frees) faults when read.
// OPTIONS: guard=all
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: peek
// EXPECT-LINE: 17
// EXPECT-JQ: .access.type == "read"
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

static volatile long result;
static void *volatile keep;

__attribute__((noinline)) static void peek(long *volatile p)
{
    result = p[0];
}

int main(void)
{
    long *a = calloc(2, sizeof(long)), *b = calloc(2, sizeof(long));
    free(a);
    free(b); /* follows a free: waits */
    keep = malloc(24);
    peek(b);
    return 0;
}
