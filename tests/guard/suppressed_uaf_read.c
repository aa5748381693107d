// A read after free of a guarded block that the suppressions hide: the
// fault is counted as suppressed, the freed block's pages are made
// accessible again (holding its poison, as an unguarded quarantined block
// would), and the program goes on to its own end and exit status.
// (uaf_read_int.c: the same read reported when nothing suppresses it.)
// SUPPRESSIONS: use-after-free:get
// EXPECT-CLEAN
// EXPECT-EXIT: 3
// EXPECT-STDOUT: went on after the read
// EXPECT-SUMMARY: .suppressed == 1 and .guarded_allocations >= 1
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static int get(const volatile int *p)
{
    return p[3];
}

int main(void)
{
    int *p = malloc(40);
    p[3] = 7;
    free(p);
    int v = get(p);
    printf("went on after the read: %s\n", v == 7 ? "the old value" : "not the old value");
    return 3;
}
