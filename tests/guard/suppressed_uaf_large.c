// A read after free of a large block (its own mapping, made inaccessible
// at its free) that the suppressions hide: its pages are made accessible
// again and the program goes on, no finding.
// SUPPRESSIONS: use-after-free:get
// EXPECT-CLEAN
// EXPECT-EXIT: 0
// EXPECT-STDOUT: went on after the read
// EXPECT-SUMMARY: .suppressed == 1
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static int get(const volatile int *p, size_t i)
{
    return p[i];
}

int main(void)
{
    volatile size_t words = (1u << 20) / sizeof(int); /* not a constant: get stays get, not get.constprop.0 */
    size_t n = words;
    int *p = malloc(n * sizeof(int));
    p[n / 2] = 7;
    free(p);
    int v = get(p, n / 2);
    printf("went on after the read (%s)\n", v == 7 ? "old value" : "poison");
    return 0;
}
