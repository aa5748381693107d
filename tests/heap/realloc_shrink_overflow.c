// realloc shrinks a block in place (the new size is of its size class): the
// cut tail becomes redzone, so a write one byte past the new end is
// reported at the free, against the block's new size and the realloc's stack.
// OPTIONS: guard=off
// EXPECT-STDOUT: in place
// EXPECT-KIND: heap-overflow
// EXPECT-MESSAGE: past the end of the 1100-byte block
// EXPECT-FUNCTION: shrink
// EXPECT-LINE: 20
// EXPECT-JQ: .stacks.access | any(.function == "main" and .line == 35)
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
#include <stdio.h>
#include <stdlib.h>

static volatile int reallocs;

__attribute__((noinline)) static char *shrink(char *p)
{
    char *q = realloc(p, 1100);
    reallocs++; /* not a tail call: shrink stays in the stack */
    return q;
}

int main(void)
{
    char *p = malloc(1200);
    for (int i = 0; i < 1200; i++) p[i] = 'x';
    char *volatile old = p;
    char *q = shrink(old);
    if (!q) return 2;
    puts(q == old ? "in place" : "moved");
    ((volatile char *)q)[1100] = 'y'; /* one past the new end: the cut tail */
    fflush(stdout);
    free(q);
    return 0;
}
