// The message names what the pointer is: a stack address, a global.
// EXPECT-KIND: invalid-free
// EXPECT-FUNCTION: free_stack
// EXPECT-MESSAGE: stack
// EXPECT-KIND: invalid-free
// EXPECT-FUNCTION: free_global
// EXPECT-MESSAGE: global data
// EXPECT-KIND: invalid-free
// EXPECT-FUNCTION: free_unaligned
// EXPECT-MESSAGE: not 16-byte-aligned
#include <stdlib.h>

static char global_buffer[32];

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
    free_stack();
    free_global();
    free_unaligned();
    return 0;
}
