// A block realloc'd away (moved) and then read through the old pointer.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: first
// EXPECT-LINE: 12
// EXPECT-JQ: .access.type == "read" and (.stacks.free | any(.function == "main" and .line == 19))
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

__attribute__((noinline)) static char first(const volatile char *p)
{
    return p[0];
}

int main(void)
{
    char *p = malloc(32);
    p[0] = 'a';
    char *q = realloc(p, 5000);
    int r = first(p);
    free(q);
    return r;
}
