// With stacks=0 a block realloc moves counts under the realloc's call
// site, as malloc's does: after one realloc call site has moved many more
// blocks than guard_first, the first block another realloc call site
// moves is still guarded, and a read past its end faults at the
// instruction.  (Before, every moved block counted under one site.)
// stacks0_realloc_sites_counted.c is the clean twin.
// OPTIONS: stacks=0:guard_first=4:guard_sample=0
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: peek
// EXPECT-LINE: 31
// EXPECT-MESSAGE: past the end of the 96-byte block
// EXPECT-JQ: .access.type == "read"
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

void *volatile keep[64];

__attribute__((noinline)) static void *grow_a(void *p, size_t n)
{
    return realloc(p, n);
}

__attribute__((noinline)) static void *grow_b(void *p, size_t n)
{
    return realloc(p, n);
}

__attribute__((noinline)) static int peek(const volatile char *p)
{
    return p[96];
}

int main(void)
{
    for (int i = 0; i < 44; i++) keep[i] = malloc(16);
    for (int i = 0; i < 40; i++) keep[i] = grow_a(keep[i], 80);
    for (int i = 40; i < 44; i++) keep[i] = grow_b(keep[i], 96);
    return peek(keep[40]);
}
