// An underflow into a block that is never freed is found by the exit check.
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: make_table
// EXPECT-MESSAGE: before the start of
#include <stdlib.h>

static int *table;

__attribute__((noinline)) static void make_table(void)
{
    table = malloc(16 * sizeof *table);
    ((volatile int *)table)[-1] = 7;
}

int main(void)
{
    make_table();
    return 0;
}
