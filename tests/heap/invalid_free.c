// Pointers malloc never returned: inside a live block, on the stack, in a
// global, unaligned.  Each free is refused and reported; the program goes on.
// RUN: all
// EXPECT-KIND: invalid-free
// EXPECT-FUNCTION: free_inside
// EXPECT-LINE: 16
// EXPECT-MESSAGE: 16 bytes inside the 64-byte block
// EXPECT-STDOUT: survived
#include <stdio.h>
#include <stdlib.h>

static char global_buffer[32];

__attribute__((noinline)) static void free_inside(char *p)
{
    free(p + 16);
}

__attribute__((noinline)) static void free_stack(void)
{
    char local[32];
    free(local);
}

__attribute__((noinline)) static void free_global(void)
{
    free(global_buffer);
}

__attribute__((noinline)) static void free_unaligned(void)
{
    free((void *)(global_buffer + 3));
}

int main(void)
{
    char *p = malloc(64);
    free_inside(p);
    free_stack();
    free_global();
    free_unaligned();
    p[0] = 1; /* the block is still live: the bad free was not performed */
    free(p);
    puts("survived");
    return 0;
}
