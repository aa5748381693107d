// A block realloc'd away (moved) and then read through the old pointer.
// EXPECT-KIND: use-after-free
// EXPECT-FUNCTION: first
// EXPECT-LINE: 14
// EXPECT-JQ: .access.type == "read" and (.stacks.free | any(.function == "main" and .line == 22))
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

char *volatile sink;

__attribute__((noinline)) static char first(const volatile char *p)
{
    return p[0];
}

int main(void)
{
    char *p = malloc(32);
    p[0] = 'a';
    char *volatile old = p; /* the compiler may not fold the realloc away */
    char *q = realloc(old, 5000);
    int r = first(old);
    sink = q; /* used: the realloc stays */
    free(sink);
    return r;
}
