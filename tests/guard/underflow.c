// A read or write OFF bytes before the start of a guarded block (-DOFF=N,
// default 1; -DWRITE for a write, default a read): every second guarded
// block of an allocation stack starts at its page, against the guard page
// below, so the second one here faults at the instruction.  One source for
// the four cases; the expectations read each run's flags ($cflags).
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: touch
// EXPECT-LINE: 35
// EXPECT-JQ: .message | contains("\((($cflags | capture("-DOFF=(?<n>[0-9]+)")) | .n) // "1") bytes before the 64-byte block")
// EXPECT-JQ: .access.type == (if ($cflags | test("-DWRITE")) then "write" else "read" end) and (.stacks.alloc | any(.function == "main"))
// VARIANT: -O0 -g
// VARIANT: -O2 -g
// VARIANT: -O0 -g -DOFF=64
// VARIANT: -O1 -g -fno-builtin -DOFF=64
// VARIANT: -O2 -g -DOFF=64
// VARIANT: -O0 -g -DWRITE
// VARIANT: -O1 -g -fno-builtin -DWRITE
// VARIANT: -O2 -g -DWRITE
// VARIANT: -O0 -g -DOFF=64 -DWRITE
// VARIANT: -O1 -g -fno-builtin -DOFF=64 -DWRITE
// VARIANT: -O2 -g -DOFF=64 -DWRITE
#include <stdlib.h>

#ifndef OFF
#define OFF 1
#endif
#ifdef WRITE
#define ACCESS(byte) ((byte) = 1, 0)
#else
#define ACCESS(byte) (byte)
#endif

__attribute__((noinline)) static int touch(volatile char *p)
{
    return ACCESS(p[-OFF]);
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
