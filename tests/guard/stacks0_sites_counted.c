// The clean twin of stacks0_two_sites.c: with stacks=0, two call sites
// of malloc get guard_first=4 guarded allocations each (8 at least; one
// site, as before call sites were told apart, would get 4), and reading
// exactly to the end of each block is no error.
// OPTIONS: stacks=0:guard_first=4:guard_sample=0
// EXPECT-CLEAN
// EXPECT-SUMMARY: .guarded_allocations >= 8
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

__attribute__((noinline)) static int last_byte(const volatile char *p, size_t n)
{
    return p[n - 1];
}

int main(void)
{
    int sum = 0;
    for (int i = 0; i < 40; i++) keep[i] = site_a(32);
    for (int i = 40; i < 44; i++) keep[i] = site_b(48);
    for (int i = 0; i < 44; i++) {
        ((char *)keep[i])[i < 40 ? 31 : 47] = 1;
        sum += last_byte(keep[i], i < 40 ? 32 : 48);
    }
    return sum == 44 ? 0 : 1;
}
