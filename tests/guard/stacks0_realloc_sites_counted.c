// The clean twin of stacks0_realloc_sites.c: with stacks=0 the malloc call
// site and two realloc call sites get guard_first=4 guarded allocations
// each (12 at least; 8 when every moved block counted under one site), and
// reading exactly to the end of each moved block is no error.
// OPTIONS: stacks=0:guard_first=4:guard_sample=0
// EXPECT-CLEAN
// EXPECT-SUMMARY: .guarded_allocations >= 12
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

__attribute__((noinline)) static int last_byte(const volatile char *p, size_t n)
{
    return p[n - 1];
}

int main(void)
{
    int sum = 0;
    for (int i = 0; i < 44; i++) keep[i] = malloc(16);
    for (int i = 0; i < 40; i++) keep[i] = grow_a(keep[i], 80);
    for (int i = 40; i < 44; i++) keep[i] = grow_b(keep[i], 96);
    for (int i = 0; i < 44; i++) {
        size_t n = i < 40 ? 80 : 96;
        ((char *)keep[i])[n - 1] = 1;
        sum += last_byte(keep[i], n);
        free(keep[i]);
    }
    return sum == 44 ? 0 : 1;
}
