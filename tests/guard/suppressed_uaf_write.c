// A write after free of a guarded block that the suppressions hide: the
// program goes on (the write lands in the freed block's pages, made
// accessible again), its output and exit status its own, no finding.
// (uaf_write.c: the same write reported when nothing suppresses it.)
// SUPPRESSIONS: use-after-free:put
// EXPECT-CLEAN
// EXPECT-EXIT: 0
// EXPECT-STDOUT: went on after the write
// EXPECT-SUMMARY: .suppressed == 1
// VARIANT: -O0 -g
// VARIANT: -O2 -g
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) static void put(volatile long *p)
{
    p[2] = 42;
}

int main(void)
{
    long *p = malloc(48);
    free(p);
    put(p);
    puts("went on after the write");
    return 0;
}
