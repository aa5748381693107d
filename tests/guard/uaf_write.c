// A direct write to a freed block is reported at the write, with its
// access stack, not only when the block leaves the quarantine.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: set
// EXPECT-LINE: 15
// EXPECT-JQ: .access.type == "write" and (.stacks.access | any(.function == "main"))
// EXPECT-NO-KIND: write-after-free
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void set(char *volatile p)
{
    p[5] = 'x';
}

int main(void)
{
    char *p = malloc(100);
    memset(p, 0, 100);
    free(p);
    set(p);
    return 0;
}
