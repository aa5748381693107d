// A write 64 byte(s) past the end of a guarded 64-byte block touches the
// guard page: reported at the instruction as a heap overflow.
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: touch
// EXPECT-LINE: 14
// EXPECT-MESSAGE: 63 bytes past the end of the 64-byte block
// EXPECT-JQ: .access.type == "write" and (.stacks.alloc | any(.function == "main"))
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

__attribute__((noinline)) static int touch(volatile char *p)
{
    p[127] = 1; return 0;
}

int main(void)
{
    char *p = malloc(64);
    int r = touch(p);
    free(p);
    return r;
}
