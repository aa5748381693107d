// After realloc shrank a block in place, a memset over its old size is
// reported at the memset: the block's size is the new one.
// OPTIONS: guard=off
// EXPECT-STDOUT: in place
// EXPECT-KIND: heap-overflow
// EXPECT-MESSAGE: 1 bytes past the end of the 1100-byte block
// EXPECT-FUNCTION: clear
// EXPECT-LINE: 17
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static volatile int n_cleared;
__attribute__((noinline)) static void clear(char *p, size_t n)
{
    memset(p, 0, n);
    n_cleared++; /* not a tail call */
}

int main(void)
{
    char *p = malloc(1200);
    char *volatile old = p;
    char *q = realloc(old, 1100);
    if (!q) return 2;
    puts(q == old ? "in place" : "moved");
    fflush(stdout);
    clear(q, 1101);
    free(q);
    return 0;
}
