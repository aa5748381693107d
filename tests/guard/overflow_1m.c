// A 1 MiB overflow of a small block lands past its class's slots: it is
// reported as an overflow of that block, with its allocation stack.
// OPTIONS: guard=off
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: peek
// EXPECT-LINE: 17
// EXPECT-MESSAGE: bytes past the end of the 3000-byte block
// EXPECT-JQ: .access.type == "read" and (.stacks.alloc | map(.function) | index("main")) != null
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

char *volatile keep;

__attribute__((noinline)) static int peek(const char *p)
{
    return p[3000 + (1 << 20)];
}

int main(void)
{
    keep = malloc(3000);
    return peek(keep);
}
