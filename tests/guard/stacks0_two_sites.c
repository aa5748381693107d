// With stacks=0 an allocation site is the allocator's caller address: the
// first allocations of each call site are guarded (guard_first=4), so a
// read past the end of the second site's first block faults at the
// instruction, after the first site has made many more allocations than
// guard_first.  (stacks0_sites_counted.c counts them in a clean run.)
// OPTIONS: stacks=0:guard_first=4:guard_sample=0
// EXPECT-KIND: heap-overflow
// EXPECT-FUNCTION: peek
// EXPECT-LINE: 30
// EXPECT-MESSAGE: past the end of the 48-byte block
// EXPECT-JQ: .access.type == "read"
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdlib.h>

void *volatile keep[64];

__attribute__((noinline)) static void *site_a(size_t n)
{
    return malloc(n);
}

__attribute__((noinline)) static void *site_b(size_t n)
{
    return malloc(n);
}

__attribute__((noinline)) static int peek(const volatile char *p)
{
    return p[48];
}

int main(void)
{
    for (int i = 0; i < 40; i++) keep[i] = site_a(32);
    for (int i = 40; i < 44; i++) keep[i] = site_b(48);
    return peek(keep[40]);
}
