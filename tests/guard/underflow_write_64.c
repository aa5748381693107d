// A write 64 byte(s) before the start of a guarded block: every second
// guarded block of an allocation stack starts at its page, against the
// guard page below, so the second one here faults at the instruction.
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: touch
// EXPECT-LINE: 15
// EXPECT-MESSAGE: 64 bytes before the 64-byte block
// EXPECT-JQ: .access.type == "write" and (.stacks.alloc | any(.function == "main"))
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

__attribute__((noinline)) static int touch(volatile char *p)
{
    p[-64] = 1; return 0;
}

int main(void)
{
    char *p[2];
    volatile int count = 2; /* one allocation site, not unrolled */
    for (int i = 0; i < count; i++) p[i] = malloc(64);
    int r = touch(p[1]);
    free(p[0]);
    free(p[1]);
    return r;
}
