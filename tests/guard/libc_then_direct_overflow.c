// The other way: memset overflows a guarded 20-byte block by 4 bytes, into
// the slack before the guard page, so the call is reported and does not
// fault.  A later direct read of the same block's guard page, in the
// program's own code, is a second error and reported as such: only a fault
// under the interceptor that reported the block is taken for that report.
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: clear
// EXPECT-LINE: 22
// EXPECT-MESSAGE: memset() writes 24 bytes
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: peek
// EXPECT-LINE: 27
// EXPECT-JQ: .access.type == "read"
// EXPECT-COUNT: 2
// VARIANT: -O0 -g -fno-builtin
// VARIANT: -O2 -g -fno-builtin
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static void clear(char *p, size_t n)
{
    memset(p, 0, n); __asm__ volatile("" ::: "memory"); /* no tail call: this frame stays */
}

__attribute__((noinline)) static int peek(const volatile char *p)
{
    return p[40];
}

int main(void)
{
    volatile size_t n = 24;
    char *p = malloc(20);
    clear(p, n);
    int r = peek(p);
    free(p);
    return r;
}
